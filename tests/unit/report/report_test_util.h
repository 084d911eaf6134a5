// SPDX-License-Identifier: MIT
// Helpers for the report tests: golden files from a real Linux 6.18 machine
// and ways to compare layouts while ignoring the numbers.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kmem::report_test {

inline std::string read_golden(const std::string& name) {
  std::ifstream f(std::string(KMEM_SHARED_DATA) + "/proc-6.18/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Every digit turned into a space: two lines printed with the same
// right-aligned fixed-width formats have equal shapes whatever the values,
// as long as each value fits its width.
inline std::string shape(std::string s) {
  for (char& c : s)
    if (c >= '0' && c <= '9') c = ' ';
  return s;
}

// Every digit removed: the label skeleton of a "%-12s %lu" style line
// (padding kept, number dropped), and "(, , , , )" for a 5-entry tuple.
inline std::string label(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c < '0' || c > '9') out += c;
  return out;
}

inline std::vector<std::string> map_lines(const std::vector<std::string>& v,
                                          std::string (*fn)(const std::string&)) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(fn(s));
  return out;
}

inline std::string shape_of(const std::string& s) { return shape(s); }
inline std::string first_word(const std::string& s) { return s.substr(0, s.find_first_of(" :")); }

}  // namespace kmem::report_test
