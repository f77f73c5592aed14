// parse_uri, Uri::param and percent_decode.
#include <string>

#include "check.h"
#include "sip/message/uri.h"

using namespace edgesbc::sip;

TEST(message_uri_full_sip) {
  Uri u;
  CHECK(parse_uri("sips:alice:secret@pbx.example.com:5061;transport=tls;lr;maddr=10.0.0.1?Subject=hi&X=y", u));
  CHECK_EQ(u.scheme, "sips");
  CHECK_EQ(u.user, "alice");
  CHECK_EQ(u.password, "secret");
  CHECK_EQ(u.host, "pbx.example.com");
  CHECK_EQ(u.port, 5061);
  CHECK_EQ(u.params, "transport=tls;lr;maddr=10.0.0.1");
  CHECK_EQ(u.headers, "Subject=hi&X=y");
  CHECK(!u.host_is_ipv6);
  bool present = false;
  CHECK_EQ(u.param("TRANSPORT", &present), "tls");
  CHECK(present);
  CHECK_EQ(u.param("lr", &present), "");
  CHECK(present);
  CHECK_EQ(u.param("ttl", &present), "");
  CHECK(!present);
  CHECK_EQ(u.param("maddr"), "10.0.0.1");
}

TEST(message_uri_hosts) {
  Uri u;
  CHECK(parse_uri("sip:[2001:db8::1]:5070;transport=udp", u));
  CHECK(u.host_is_ipv6);
  CHECK_EQ(u.host, "2001:db8::1");
  CHECK_EQ(u.port, 5070);
  CHECK(u.user.empty());
  CHECK(parse_uri("sip:192.0.2.1", u));
  CHECK_EQ(u.host, "192.0.2.1");
  CHECK_EQ(u.port, 0);
  CHECK(parse_uri("SIP:Bob@Example.COM", u));
  CHECK_EQ(u.scheme, "SIP");
  CHECK_EQ(u.host, "Example.COM");
  CHECK(!parse_uri("sip:[2001:db8::1", u));
  CHECK(!parse_uri("sip:[zz]", u));
  CHECK(!parse_uri("sip:host:99999", u));
  CHECK(!parse_uri("sip:host:", u));
  CHECK(!parse_uri("sip:host:12ab", u));
  CHECK(!parse_uri("sip:", u));
  CHECK(!parse_uri("sip:@host", u));
  CHECK(!parse_uri("sip:a@", u));
  CHECK(!parse_uri("sip:a b@host", u));
  CHECK(!parse_uri("sip:host/path", u));
  CHECK(!parse_uri("sip:host;a=<b>", u));
}

TEST(message_uri_user_with_reserved_marks) {
  Uri u;
  // RFC 4475 semiuri: ';' inside the user part.
  CHECK(parse_uri("sip:user;par=u%40example.net@example.com", u));
  CHECK_EQ(u.user, "user;par=u%40example.net");
  CHECK_EQ(u.host, "example.com");
  CHECK(u.params.empty());
  // RFC 4475 intmeth: '?' and ',' in the user, ':' splitting the password.
  CHECK(parse_uri("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com", u));
  CHECK_EQ(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  CHECK_EQ(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  CHECK_EQ(u.host, "example.com");
  // Escapes stay escaped in user.
  CHECK(parse_uri("sip:null-%00-null@example.com", u));
  CHECK_EQ(u.user, "null-%00-null");
  CHECK(parse_uri("sip:*67#123@pbx", u));  // unescaped # from a phone dial plan
  CHECK_EQ(u.user, "*67#123");
}

TEST(message_uri_tel_and_unknown) {
  Uri u;
  CHECK(parse_uri("tel:+1-201-555-0123;phone-context=example.com", u));
  CHECK_EQ(u.scheme, "tel");
  CHECK_EQ(u.user, "+1-201-555-0123");
  CHECK_EQ(u.param("phone-context"), "example.com");
  CHECK(u.host.empty());
  CHECK(!parse_uri("tel:", u));
  CHECK(parse_uri("soap.beep://192.0.2.103:3002", u));
  CHECK_EQ(u.scheme, "soap.beep");
  CHECK_EQ(u.opaque, "//192.0.2.103:3002");
  CHECK(u.host.empty());
  CHECK(!is_supported_scheme(u.scheme));
  CHECK(is_supported_scheme("SIPS"));
  CHECK(is_supported_scheme("tel"));
  CHECK(!parse_uri("<sip:a@b>", u));
  CHECK(!parse_uri("1abc:foo", u));
  CHECK(!parse_uri("nocolon", u));
  CHECK(!parse_uri(":foo", u));
  CHECK(!parse_uri("foo:", u));
}

TEST(message_uri_percent_decode) {
  CHECK_EQ(percent_decode("%75se%72"), "user");
  CHECK_EQ(percent_decode("I%20have%20spaces"), "I have spaces");
  std::string nul = percent_decode("null-%00-null");
  CHECK_EQ(nul.size(), 11u);
  CHECK_EQ(nul[5], '\0');
  CHECK_EQ(percent_decode("%Z%45"), "%ZE");
  CHECK_EQ(percent_decode("100%"), "100%");
  CHECK_EQ(percent_decode("%4"), "%4");
  CHECK_EQ(percent_decode("%41%4a%4A"), "AJJ");
  CHECK_EQ(percent_decode(""), "");
}
