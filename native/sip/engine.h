// The SIP engine: one thread with its own EventLoop running transports, the
// parser, the transaction layer (RFC 3261 + RFC 6026) and the dialog layer.
//
// Threading contract (docs/native-interface.md):
//  - post(), next_id(), drain(), stats() are called from the JS thread;
//    they never block on the SIP thread beyond a short mutex.
//  - Everything else runs on the SIP thread. The SIP thread never calls into
//    V8: it appends Events to a queue and calls `notify` when the queue goes
//    from empty to non-empty (the addon turns that into one
//    ThreadSafeFunction call that drains the whole batch).
//
// Topology: the engine writes every routing header itself (Via, From/To tags,
// Call-ID, CSeq, Contact, Max-Forwards, Route, Content-Length). Headers that
// callers pass with those names are dropped, so nothing from one leg can be
// copied onto another by accident.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transport/transport.h"

namespace edgesbc::sip {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct EngineConfig {
  std::vector<ListenerSpec> listeners;
  TlsSettings tls;
  uint32_t t1_ms = 500;
  uint32_t t2_ms = 4000;
  uint32_t t4_ms = 5000;
  std::string user_agent = "EdgeSBC";
  // Random per process; part of every Via branch and tag we make, so a
  // request that comes back to us is recognised (loop detection).
  std::string instance_token;
  std::string dns_servers;  // "" = system resolv.conf; "127.0.0.1:5353,…" for tests
};

enum class EventType : uint8_t {
  Request,           // new server transaction; answer with Command::Respond(txn)
  Response,          // response on a client transaction (also local 408/503)
  Ack,               // ACK for a 2xx we sent, in `dialog` (may carry SDP)
  Cancel,            // CANCEL matched INVITE server txn `txn`: engine already
                     // answered the CANCEL 200 and the INVITE 487
  DialogTerminated,  // `dialog` is gone; info = "bye" | "ack-timeout" | "destroyed" | "timeout"
  TransportError,    // info = text (listener failures after start, TLS errors…)
  ListenersSet,      // outcome of Command::SetListeners `txn` (= its id): headers =
                     // (listener id, error) per listener that could not be opened
};

struct Event {
  EventType type = EventType::Request;
  uint64_t txn = 0;     // server txn (Request, Cancel) / client txn (Response)
  uint64_t dialog = 0;  // dialog the message belongs to or created, 0 = none
  std::string method;   // request method; for responses the CSeq method
  std::string ruri;
  uint16_t status = 0;
  std::string reason;
  HeaderList headers;   // as on the wire, in order, names as written
  std::string body;
  bool local = false;     // response made up by the engine (408 timeout, 503 transport)
  bool looped = false;    // request carries one of our own Via branches (a loop)
  std::string listener;   // listener id it arrived on
  std::string side;       // that listener's side
  std::string transport;  // "udp" | "tcp" | "tls"
  std::string remote_ip;
  uint16_t remote_port = 0;
  std::string info;
};

// A new out-of-dialog request (the UAC side of a leg).
struct RequestSpec {
  std::string method;
  std::string ruri;
  std::string side;        // leaves from a listener of this side
  std::string transport;   // "udp" | "tcp" | "tls" | "" (from the URI / DNS)
  std::string next_hop;    // "host[:port]" to send to instead of the R-URI host
  std::string from_uri;
  std::string from_display;
  std::string to_uri;
  std::string to_display;
  std::string contact_user;  // user part of our Contact ("" = none)
  int max_forwards = 70;
  HeaderList headers;        // extra headers (Content-Type, Supported, X-…, Authorization…)
  std::string body;
  // Re-send of an earlier client txn's request with the same Call-ID, From
  // tag and CSeq+1 (digest challenge answered). 0 = a fresh request.
  uint64_t retry_of = 0;
};

enum class CommandType : uint8_t {
  Respond,        // txn, status, reason, headers, body, dialog (id for a new UAS dialog), reliable
  Request,        // id = new client txn id, req
  DialogRequest,  // id = new client txn id, dialog, method, headers, body
  Ack,            // dialog, headers, body — ACK for the 2xx of the dialog's last INVITE
  Cancel,         // txn = client INVITE txn to cancel (sent once a 1xx has arrived)
  DialogDestroy,  // dialog: forget it (no BYE sent)
  SetListeners,   // id, listeners: replace the listener set (answered by Event ListenersSet)
};

struct Command {
  CommandType type = CommandType::Respond;
  uint64_t id = 0;
  uint64_t txn = 0;
  uint64_t dialog = 0;
  uint16_t status = 0;
  std::string reason;
  std::string method;
  HeaderList headers;
  std::string body;
  bool reliable = false;  // Respond 101–199: send 100rel-reliably when the peer supports it
  RequestSpec req;
  std::vector<ListenerSpec> listeners;  // SetListeners
};

struct EngineStats {
  uint64_t server_txns = 0;
  uint64_t client_txns = 0;
  uint64_t dialogs = 0;
  uint64_t timers = 0;
  uint64_t connections = 0;
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint64_t parse_errors = 0;
  uint64_t retransmissions = 0;
  uint64_t queued_events = 0;
};

class Engine {
 public:
  using Notify = std::function<void()>;
  explicit Engine(Notify notify);
  ~Engine();  // stops the thread if running
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts the SIP thread and opens every listener; waits for the outcome.
  // False with `error` set when any listener cannot be opened.
  bool start(const EngineConfig& config, std::string& error);
  void stop();  // closes listeners, joins the thread; pending events stay drainable

  uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
  void post(Command&& cmd);               // any thread
  void drain(std::vector<Event>& out);    // any thread; appends and clears the queue
  EngineStats stats() const;              // any thread

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<uint64_t> next_id_{1};
  Notify notify_;
};

}  // namespace edgesbc::sip
