// Walks the RFC 4475 torture messages listed in MANIFEST.tsv and checks the
// parser's verdict on each: valid messages parse, invalid requests come out
// Invalid with the answer the manifest names (400 / 505), invalid responses
// are dropped (status_code 0), and what the manifest leaves to the engine
// (416, 420, 415, 406, 401) parses OK so the engine can decide.
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "sip/message/parser.h"

using namespace edgesbc::sip;

namespace {

const char* kDir = "../shared/testdata/rfc4475/";

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

struct Row {
  std::string name, section, cls, kind, expected;
};

std::vector<Row> manifest() {
  std::vector<Row> rows;
  std::istringstream in(read_file(std::string(kDir) + "MANIFEST.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::istringstream ls(line);
    std::string col;
    while (std::getline(ls, col, '\t')) cols.push_back(col);
    if (cols.size() < 5) continue;
    rows.push_back({cols[0], cols[1], cols[2], cols[3], cols[4]});
  }
  return rows;
}

// The first response code the manifest's text names, 0 if none.
int named_code(const std::string& text) {
  for (size_t i = 0; i + 3 <= text.size(); ++i) {
    bool three = isdigit(static_cast<unsigned char>(text[i])) && isdigit(static_cast<unsigned char>(text[i + 1])) &&
                 isdigit(static_cast<unsigned char>(text[i + 2]));
    bool bounded = (i == 0 || !isdigit(static_cast<unsigned char>(text[i - 1]))) &&
                   (i + 3 == text.size() || !isdigit(static_cast<unsigned char>(text[i + 3])));
    if (three && bounded) return std::stoi(text.substr(i, 3));
  }
  return 0;
}

bool engine_decides(int code) { return code == 416 || code == 420 || code == 415 || code == 406 || code == 401; }

// Where the manifest allows a lenient reading we take it, or where the
// verdict is not a matter of syntax at all.
bool accepted_leniently(const std::string& name) {
  return name == "lwsstart" || name == "trws"  // extra SP in the Request-Line: "lenient parse allowed"
         || name == "baddate"                  // "accept ignoring Date": the parser never reads Date
         || name == "bcast";                   // broadcast Via: the engine's drop, not a parse error
}

}  // namespace

TEST(message_rfc4475_manifest_walk) {
  std::vector<Row> rows = manifest();
  CHECK(rows.size() >= 49);
  int checked = 0;
  for (const Row& row : rows) {
    std::string bytes = read_file(std::string(kDir) + row.name + ".dat");
    CHECK(!bytes.empty());
    if (bytes.empty()) continue;
    Message m;
    ParseResult r = parse_message(bytes, Framing::Datagram, m);
    int code = named_code(row.expected);
    bool want_ok = row.cls == "valid" || accepted_leniently(row.name) || engine_decides(code);
    bool ok = true;
    if (want_ok) {
      ok = r.status == ParseStatus::Ok;
    } else if (row.kind == "response") {
      ok = r.status == ParseStatus::Invalid && r.status_code == 0;
    } else {
      ok = r.status == ParseStatus::Invalid && r.status_code == code && (code == 400 || code == 505);
    }
    if (!ok)
      std::fprintf(stderr, "  %s (%s): status=%d code=%d reason=%s; manifest: %s\n", row.name.c_str(),
                   row.cls.c_str(), static_cast<int>(r.status), r.status_code, r.reason, row.expected.c_str());
    CHECK(ok);
    // Whatever the verdict, every slice stays inside the buffer.
    for (const Header& h : m.headers) CHECK(h.value.off + h.value.len <= m.buf.size());
    ++checked;
  }
  CHECK_EQ(checked, static_cast<int>(rows.size()));
}

// clerr: Content-Length 9999 on a datagram is a 400; on a stream we wait.
TEST(message_rfc4475_clerr_framing) {
  std::string bytes = read_file(std::string(kDir) + "clerr.dat");
  Message m;
  ParseResult d = parse_message(bytes, Framing::Datagram, m);
  CHECK(d.status == ParseStatus::Invalid);
  CHECK_EQ(d.status_code, 400);
  ParseResult s = parse_message(bytes, Framing::Stream, m);
  CHECK(s.status == ParseStatus::Incomplete);
}

// Every valid message that carries a Content-Length also frames on a stream,
// to the same length as the datagram reading.
TEST(message_rfc4475_valid_as_stream) {
  for (const Row& row : manifest()) {
    if (row.cls != "valid") continue;
    std::string bytes = read_file(std::string(kDir) + row.name + ".dat");
    Message dm, sm;
    ParseResult d = parse_message(bytes, Framing::Datagram, dm);
    if (dm.content_length < 0) continue;  // inv2543: RFC 2543 peers over UDP only
    ParseResult s = parse_message(bytes, Framing::Stream, sm);
    bool ok = s.status == ParseStatus::Ok && s.consumed == d.consumed && sm.buf == dm.buf;
    if (!ok) std::fprintf(stderr, "  %s: stream status=%d reason=%s\n", row.name.c_str(), static_cast<int>(s.status), s.reason);
    CHECK(ok);
  }
}

TEST(message_rfc4475_wsinv_fields) {
  Message m;
  ParseResult r = parse_message(read_file(std::string(kDir) + "wsinv.dat"), Framing::Datagram, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(m.method_sv(), "INVITE");
  CHECK_EQ(m.view(m.ruri), "sip:vivekg@chair-dnrc.example.com;unknownparam");
  CHECK_EQ(m.vias.size(), 3u);
  if (m.vias.size() == 3) {
    CHECK_EQ(m.view(m.vias[0].transport), "UDP");
    CHECK_EQ(m.view(m.vias[0].host), "192.0.2.2");
    CHECK_EQ(m.view(m.vias[0].branch), "390skdjuw");
    CHECK_EQ(m.view(m.vias[1].transport), "TCP");
    CHECK_EQ(m.view(m.vias[1].host), "spindle.example.com");
    CHECK_EQ(m.view(m.vias[1].branch), "z9hG4bK9ikj8");
    CHECK_EQ(m.view(m.vias[2].host), "192.168.255.111");
    CHECK_EQ(m.view(m.vias[2].branch), "z9hG4bK30239");
  }
  CHECK_EQ(m.view(m.to.uri), "sip:vivekg@chair-dnrc.example.com");
  CHECK_EQ(m.view(m.to.tag), "1918181833n");
  CHECK_EQ(m.view(m.from.display), "J Rosenberg \\\\\\\"");
  CHECK_EQ(m.view(m.from.uri), "sip:jdrosen@example.com");
  CHECK_EQ(m.view(m.from.tag), "98asjd8");
  CHECK_EQ(m.max_forwards, 68);
  CHECK_EQ(m.cseq.number, 9u);
  CHECK_EQ(m.view(m.cseq.method), "INVITE");
  CHECK_EQ(m.call_id_sv(), "wsinv.ndaksdj@192.0.2.1");
  CHECK_EQ(m.content_length, 150);
  CHECK_EQ(m.body.len, 150u);
  CHECK_EQ(m.view(m.body).substr(0, 5), "v=0\r\n");
  const Header* nf = m.find("NewFangledHeader");
  CHECK(nf != nullptr);
  if (nf) CHECK_EQ(m.view(nf->value), "newfangled value\r\n continued newfangled value");
  const Header* subj = m.find("Subject");
  CHECK(subj != nullptr);
  if (subj) CHECK_EQ(m.view(subj->value), "");
  const Header* contact = m.find(HeaderId::Contact);
  CHECK(contact != nullptr);
  if (contact) {
    std::vector<NameAddr> cs;
    CHECK(parse_name_addr_list(m, contact->value, cs));
    CHECK_EQ(cs.size(), 1u);
    if (cs.size() == 1) {
      CHECK_EQ(m.view(cs[0].display), "Quoted string \\\"\\\"");
      CHECK_EQ(m.view(cs[0].uri), "sip:jdrosen@example.com");
    }
  }
}

TEST(message_rfc4475_field_details) {
  Message m;
  CHECK(parse_message(read_file(std::string(kDir) + "longreq.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.vias.size(), 34u);
  CHECK_EQ(m.count(HeaderId::Via), 34u);
  CHECK_EQ(m.body.len, 150u);

  std::string dbl = read_file(std::string(kDir) + "dblreq.dat");
  ParseResult r = parse_message(dbl, Framing::Datagram, m);
  CHECK(r.status == ParseStatus::Ok);
  CHECK_EQ(m.method_sv(), "REGISTER");
  CHECK_EQ(m.content_length, 0);
  CHECK_EQ(m.body.len, 0u);
  CHECK_EQ(r.consumed, dbl.find("\r\n\r\n") + 4);  // the trailing INVITE is ignored
  CHECK_EQ(m.buf.size(), r.consumed);

  CHECK(parse_message(read_file(std::string(kDir) + "mpart01.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.body.len, 553u);
  CHECK_EQ(m.view(m.body).substr(0, 18), "--7a9cbec02ceef655");

  CHECK(parse_message(read_file(std::string(kDir) + "escnull.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.view(m.to.uri), "sip:null-%00-null@example.com");

  CHECK(parse_message(read_file(std::string(kDir) + "badbranch.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.vias.size(), 1u);
  if (!m.vias.empty()) CHECK_EQ(m.view(m.vias[0].branch), "z9hG4bK");

  CHECK(parse_message(read_file(std::string(kDir) + "inv2543.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.max_forwards, -1);
  CHECK_EQ(m.content_length, -1);
  CHECK(m.vias.size() == 1 && m.vias[0].branch.empty());
  // No Content-Length on a datagram: the body runs to the end of it.
  CHECK(m.view(m.body).rfind("v=0", 0) == 0);
  CHECK(m.body.off + m.body.len == m.buf.size());

  CHECK(parse_message(read_file(std::string(kDir) + "intmeth.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.method_sv(), "!interesting-Method0123456789_*+`.%indeed'~");
  CHECK_EQ(m.cseq.number, 139122385u);

  CHECK(parse_message(read_file(std::string(kDir) + "esc02.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.method_sv(), "RE%47IST%45R");
  CHECK_EQ(m.count(HeaderId::Contact), 2u);  // C%6Fntact is another header

  CHECK(parse_message(read_file(std::string(kDir) + "transports.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.vias.size(), 5u);
  if (m.vias.size() == 5) CHECK_EQ(m.view(m.vias[3].transport), "UNKNOWN");

  ParseResult bv = parse_message(read_file(std::string(kDir) + "badvers.dat"), Framing::Datagram, m);
  CHECK_EQ(bv.status_code, 505);
  CHECK_EQ(m.call_id_sv(), "badvers.31417@c.example.com");  // enough to build the 505

  CHECK(parse_message(read_file(std::string(kDir) + "unkscm.dat"), Framing::Datagram, m).status == ParseStatus::Ok);
  CHECK_EQ(m.view(m.ruri), "nobodyKnowsThisScheme:totallyopaquecontent");
}
