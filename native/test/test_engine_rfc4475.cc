// The RFC 4475 torture messages sent to a running Engine over UDP: valid
// requests reach call control, responses nobody asked for are dropped
// silently, and the requests RFC 4475 wants rejected get the named status
// from the engine itself (416, 420, 415, 406, 505, 400). The files are read
// in place; only ";rport" is added to the top Via in memory, so the answer
// comes back to the test socket rather than the example.com host named in
// the message.
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "check.h"
#include "test_engine_peer.h"

using namespace enginetest;

namespace {

const char* kDir = "../shared/testdata/rfc4475/";

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::string with_rport(std::string s) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t eol = s.find("\r\n", pos);
    if (eol == std::string::npos || eol == pos) break;  // end of headers
    std::string_view line(s.data() + pos, eol - pos);
    bool via = line.size() > 2 && (strncasecmp(line.data(), "via", 3) == 0 || strncasecmp(line.data(), "v:", 2) == 0 ||
                                   strncasecmp(line.data(), "v ", 2) == 0);
    if (via) {
      // A folded Via continues on lines starting with whitespace.
      size_t end = eol;
      while (end + 2 < s.size() && (s[end + 2] == ' ' || s[end + 2] == '\t')) {
        size_t n = s.find("\r\n", end + 2);
        if (n == std::string::npos) break;
        end = n;
      }
      std::string_view whole(s.data() + pos, end - pos);
      size_t comma = whole.find(',');
      size_t at = comma == std::string_view::npos ? end : pos + comma;
      s.insert(at, ";rport");
      return s;
    }
    pos = eol + 2;
  }
  return s;
}

}  // namespace

TEST(engine_rfc4475_torture_messages) {
  // What the engine itself must answer (RFC 4475 §3.3 and §3.1.2.16).
  const std::map<std::string, int> answered = {{"unkscm", 416}, {"novelsc", 416}, {"bext01", 420},
                                               {"invut", 415},  {"sdp01", 406},   {"badvers", 505},
                                               // To-tag of a dialog we do not have (RFC 3261 §12.2.2)
                                               {"wsinv", 481},
                                               // answered with the Via and CSeq it has
                                               {"insuf", 400}};
  // Invalid per RFC 4475, but a lenient parse that hands them to call
  // control is allowed by the RFC ("lenient parse allowed", "accept
  // ignoring Date", "or ignore the headers", the registrar's 401).
  const std::set<std::string> lenient = {"lwsstart", "trws", "baddate", "regaut01", "escruri", "regbadct"};
  std::istringstream rows(read_all(std::string(kDir) + "MANIFEST.tsv"));
  std::string line;
  int seen = 0;
  while (std::getline(rows, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string name, section, cls, kind;
    std::getline(ls, name, '\t');
    std::getline(ls, section, '\t');
    std::getline(ls, cls, '\t');
    std::getline(ls, kind, '\t');
    std::string bytes = read_all(std::string(kDir) + name + ".dat");
    if (bytes.empty()) continue;
    ++seen;
    // A fresh engine and socket per message: several files share a branch
    // and sent-by, which RFC 3261 §17.2.3 rightly treats as one transaction.
    Harness h;
    CHECK(h.start());
    UdpPeer peer;
    peer.send_to(h.port(), with_rport(bytes));
    // Let the engine react: events and/or an answer on the wire.
    std::optional<Event> ev = h.wait_type(EventType::Request, 150);
    int status = 0;
    // Read from the status line: an answer to insuf lacks From/To/Call-ID
    // and would not parse as a message itself.
    for (std::string raw = peer.recv(60); !raw.empty(); raw = peer.recv(60)) {
      if (raw.rfind("SIP/2.0 ", 0) != 0 || raw.size() < 11) continue;
      int code = std::atoi(raw.substr(8, 3).c_str());
      if (code >= 200) status = code;
    }
    if (ev) {
      // Call control would answer; do so to finish the transaction.
      h.respond(ev->txn, ev->method == "INVITE" ? 486 : 200);
    }
    std::string what = name + " (" + cls + " " + kind + ")";
    if (kind == "response") {
      if (ev || status != 0) std::fprintf(stderr, "  %s: a response must be dropped\n", what.c_str());
      CHECK(!ev && status == 0);
    } else if (auto it = answered.find(name); it != answered.end()) {
      if (status != it->second) std::fprintf(stderr, "  %s: got %d want %d\n", what.c_str(), status, it->second);
      CHECK_EQ(status, it->second);
      CHECK(!ev);
    } else if (cls == "valid") {
      if (!ev) std::fprintf(stderr, "  %s: no Request event\n", what.c_str());
      CHECK(ev.has_value());
    } else if (lenient.count(name)) {
      CHECK(ev.has_value() || status >= 400);
    } else {
      // Invalid requests: never reach call control; 400 when answerable.
      if (ev) std::fprintf(stderr, "  %s: reached call control\n", what.c_str());
      CHECK(!ev);
      CHECK(status == 0 || (status >= 400 && status < 600));
    }
  }
  CHECK(seen >= 40);
}
