// SPDX-License-Identifier: MIT
// The intrusive ListHead: insertion order, removal, moves, counting, and
// list_entry() recovering the containing object.
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "base/list.h"

namespace {

struct Item {
  int value;
  kmem::ListHead node;
};

Item* item_of(kmem::ListHead* n) { return kmem::list_entry<Item, offsetof(Item, node)>(n); }

std::vector<int> values(kmem::ListHead& head) {
  std::vector<int> out;
  for (kmem::ListHead* p = head.next; p != &head; p = p->next) out.push_back(item_of(p)->value);
  // The prev links must describe the same list backwards.
  std::vector<int> back;
  for (kmem::ListHead* p = head.prev; p != &head; p = p->prev)
    back.insert(back.begin(), item_of(p)->value);
  EXPECT_EQ(out, back);
  return out;
}

TEST(List, EmptyAfterInit) {
  kmem::ListHead h;
  h.init();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.next, &h);
  EXPECT_EQ(h.prev, &h);
}

TEST(List, AddIsLifoAddTailIsFifo) {
  kmem::ListHead h;
  h.init();
  Item a{1, {}}, b{2, {}}, c{3, {}};
  h.add(&a.node);
  h.add(&b.node);
  h.add(&c.node);
  EXPECT_EQ(values(h), (std::vector<int>{3, 2, 1}));
  kmem::ListHead t;
  t.init();
  Item d{4, {}}, e{5, {}}, f{6, {}};
  t.add_tail(&d.node);
  t.add_tail(&e.node);
  t.add_tail(&f.node);
  EXPECT_EQ(values(t), (std::vector<int>{4, 5, 6}));
  EXPECT_EQ(t.count(), 3u);
  EXPECT_FALSE(t.empty());
}

TEST(List, DelUnlinksAndPoisons) {
  kmem::ListHead h;
  h.init();
  Item items[5];
  for (int i = 0; i < 5; ++i) {
    items[i].value = i;
    h.add_tail(&items[i].node);
  }
  items[2].node.del();
  EXPECT_EQ(items[2].node.next, nullptr);
  EXPECT_EQ(items[2].node.prev, nullptr);
  EXPECT_EQ(values(h), (std::vector<int>{0, 1, 3, 4}));
  items[0].node.del();
  items[4].node.del();
  EXPECT_EQ(values(h), (std::vector<int>{1, 3}));
  items[1].node.del();
  items[3].node.del();
  EXPECT_TRUE(h.empty());
}

TEST(List, MoveBetweenLists) {
  kmem::ListHead a, b;
  a.init();
  b.init();
  Item items[4];
  for (int i = 0; i < 4; ++i) {
    items[i].value = i;
    a.add_tail(&items[i].node);
  }
  items[1].node.move_to(&b);
  items[3].node.move_to_tail(&b);
  items[0].node.move_to(&b);
  EXPECT_EQ(values(a), (std::vector<int>{2}));
  EXPECT_EQ(values(b), (std::vector<int>{0, 1, 3}));
  // Moving within the same list reorders it.
  items[3].node.move_to(&b);
  EXPECT_EQ(values(b), (std::vector<int>{3, 0, 1}));
  items[3].node.move_to_tail(&b);
  EXPECT_EQ(values(b), (std::vector<int>{0, 1, 3}));
}

TEST(List, ManyNodesCount) {
  kmem::ListHead h;
  h.init();
  std::vector<Item> items(10000);
  for (int i = 0; i < 10000; ++i) {
    items[i].value = i;
    if (i % 2) h.add(&items[i].node);
    else h.add_tail(&items[i].node);
  }
  EXPECT_EQ(h.count(), 10000u);
  for (int i = 0; i < 10000; i += 3) items[i].node.del();
  EXPECT_EQ(h.count(), 10000u - 3334u);
  std::vector<int> v = values(h);
  for (int x : v) EXPECT_NE(x % 3, 0);
}

}  // namespace
