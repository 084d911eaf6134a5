// SPDX-License-Identifier: MIT
// Intrusive circular doubly-linked list, the shape of Linux's struct list_head.
//
// A ListHead is embedded in the object it links. An empty list's head points
// to itself. Nothing here allocates; the caller owns every node.
#pragma once

#include <stddef.h>

namespace kmem {

struct ListHead {
  ListHead* next;
  ListHead* prev;

  void init() { next = prev = this; }
  bool empty() const { return next == this; }

  // Inserts n right after this head (stack order: LIFO).
  void add(ListHead* n) { insert_between(n, this, next); }
  // Inserts n right before this head (queue order: FIFO).
  void add_tail(ListHead* n) { insert_between(n, prev, this); }

  // Unlinks this node; it must be on a list. The node is poisoned so that a
  // second unlink faults instead of corrupting a neighbour.
  void del() {
    next->prev = prev;
    prev->next = next;
    next = prev = nullptr;
  }

  // Moves this node (on some list) to the front or back of h.
  void move_to(ListHead* h) {
    unlink();
    h->add(this);
  }
  void move_to_tail(ListHead* h) {
    unlink();
    h->add_tail(this);
  }

  // Number of nodes; O(n), for checkers and reports only.
  size_t count() const {
    size_t n = 0;
    for (const ListHead* p = next; p != this; p = p->next) ++n;
    return n;
  }

 private:
  void unlink() {
    next->prev = prev;
    prev->next = next;
  }
  static void insert_between(ListHead* n, ListHead* p, ListHead* nx) {
    nx->prev = n;
    n->next = nx;
    n->prev = p;
    p->next = n;
  }
};

// container_of: the object of type T whose member at Offset is node.
template <typename T, size_t Offset>
inline T* list_entry(ListHead* node) {
  return reinterpret_cast<T*>(reinterpret_cast<char*>(node) - Offset);
}

}  // namespace kmem
