// Building requests (RFC 3261 §8.1.1). All routing headers come from the
// caller's struct, never from user headers (engine.h: topology hiding).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgesbc::sip::ua {

struct RequestParts {
  std::string_view method;
  std::string_view ruri;
  std::string_view via;        // full Via value incl. branch
  int max_forwards = 70;
  std::string_view from;       // full From value incl. tag
  std::string_view to;         // full To value (tag when in a dialog)
  std::string_view call_id;
  uint32_t cseq = 1;
  std::string_view cseq_method;  // "" = method
  const std::vector<std::string>* routes = nullptr;  // Route values, in order
  std::string_view contact;      // "" = none
  std::string_view user_agent;
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view extra;        // pre-formatted lines of our own (RAck …)
  std::string_view body;
};

std::string build_request(const RequestParts& p);

// "\"Alice\" <sip:a@b>" / "<sip:a@b>"; quotes and escapes the display name.
std::string name_addr(std::string_view display, std::string_view uri);

}  // namespace edgesbc::sip::ua
