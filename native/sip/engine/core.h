// The SIP thread's side of the Engine: owns the transport, the resolver and
// the transaction and dialog tables, turns inbound messages into Events and
// Commands into messages. Everything here runs on the SIP loop thread; the
// only ways in from outside are Engine::post (commands) and the counters it
// publishes for Engine::stats.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "../dialog/dialog.h"
#include "../dns/resolver.h"
#include "../engine.h"
#include "../loop/event_loop.h"
#include "../transport/transport.h"
#include "../txn/client_txn.h"
#include "../txn/server_txn.h"
#include "../ua/ids.h"

namespace edgesbc::sip {

// Written by the SIP thread, read by Engine::stats from any thread.
struct EngineCounters {
  std::atomic<uint64_t> server_txns{0};
  std::atomic<uint64_t> client_txns{0};
  std::atomic<uint64_t> dialogs{0};
  std::atomic<uint64_t> timers{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> messages_in{0};
  std::atomic<uint64_t> messages_out{0};
  std::atomic<uint64_t> parse_errors{0};
  std::atomic<uint64_t> retransmissions{0};
};

class Core final : public TxnHost {
 public:
  using Emit = std::function<void(Event&&)>;
  using NextId = std::function<uint64_t()>;

  Core(EventLoop& loop, const EngineConfig& cfg, EngineCounters& counters, Emit emit, NextId next_id);
  ~Core() override;
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  bool start(std::string& error);
  void stop();
  void handle(Command& cmd);
  void set_listeners(Command& cmd);
  void publish();

  // TxnHost
  const TxnTimes& times() const override { return times_; }
  void arm(Timer& t, uint64_t delay_ms, std::function<void()> fn) override;
  void send(const Flow& flow, std::string_view bytes, bool retransmission) override;
  void server_done(ServerTxn& t) override;
  void client_timeout(ClientTxn& t) override;
  void client_done(ClientTxn& t) override;

 private:
  // Identity of a challenged request, kept for 64*T1 so that a retry
  // (RequestSpec::retry_of) reuses Call-ID, From tag and CSeq+1.
  struct RetryInfo {
    std::string call_id;
    std::string local_tag;
    std::string from;
    uint32_t cseq = 0;
    // Where the challenged request went: the retry goes there first, so the
    // credentials reach the server whose nonce they answer.
    Proto proto = Proto::UDP;
    SockAddr remote;
    bool has_remote = false;
    Timer expire;
  };
  // A new request waiting for DNS: what it is built from once the listener
  // (and so the Via and Contact) is known.
  struct PendingRequest {
    std::string side;
    std::string contact_user;
    int max_forwards = 70;
    HeaderList headers;
    std::string body;
    // A retry of a challenged request: its target is tried first.
    bool prefer = false;
    Proto prefer_proto = Proto::UDP;
    SockAddr prefer_remote;
  };
  // RFC 3263 §4.3: an out-of-dialog request whose host resolved to several
  // targets (SRV records, addresses) moves on to the next one on a timeout,
  // a transport error or a 503, as a new transaction (new branch, same
  // Call-ID, tags and CSeq) under the same public id. Kept by id while a
  // target is left.
  struct Alternates {
    std::shared_ptr<PendingRequest> pending;
    std::vector<ResolvedTarget> targets;
    size_t next = 0;  // the first target not tried yet
  };
  using FlowFn = std::function<void(const Flow* flow, const std::string& error)>;

  // core.cc: plumbing
  void on_message(InboundMessage&& in);
  void on_invalid(InboundInvalid&& in);
  void on_send_error(const Flow& flow, const std::string& reason);
  Event event_from(EventType type, const Message& m, const Flow& flow) const;
  void emit(Event&& e);
  std::string via_for(const ListenerSpec& l, const std::string& branch) const;
  std::string contact_for(const ListenerSpec& l, std::string_view user) const;
  void resolve(const std::string& host, uint16_t port, const std::string& transport, bool sips,
               Resolver::Done done);
  // Where a request to `uri` goes: host/port/transport; false when unusable.
  bool next_hop_of(std::string_view uri, std::string& host, uint16_t& port, std::string& transport,
                   bool& sips) const;

  // core_uas.cc: requests in, responses out
  void on_request(Message&& m, const Flow& flow);
  bool is_looped(const Message& m) const;
  bool validate(Message& m, const Flow& flow, std::string& key);
  void on_cancel(Message&& m, const Flow& flow, std::string&& key);
  void on_ack_2xx(const Message& m, const Flow& flow);
  void on_in_dialog(Message&& m, const Flow& flow, std::string&& key);
  void on_prack(Dialog& d, Message&& m, const Flow& flow, std::string&& key);
  ServerTxn& add_server(std::string&& key, Message&& m, const Flow& flow, bool internal);
  void reply(Message&& m, const Flow& flow, std::string&& key, uint16_t status, std::string_view reason,
             std::string_view extra = {}, std::string_view to_tag = {});
  void respond(Command& cmd);
  void respond_txn(ServerTxn& st, uint16_t status, std::string_view reason, const HeaderList* headers,
                   std::string_view body, uint64_t want_dialog, bool reliable);
  Dialog& create_uas_dialog(ServerTxn& st, uint64_t want_id, const std::string& contact);
  void on_ack_timeout(uint64_t dialog_id);

  // core_uac.cc: requests out, responses in
  void request(Command& cmd);
  void start_resolved(uint64_t txn_id, const std::shared_ptr<PendingRequest>& p,
                      std::vector<ResolvedTarget> targets, const std::string& error);
  // Sends `t` to the first target from alt.next on that has a listener;
  // false (why set) when none has.
  bool launch(ClientTxn& t, Alternates& alt, std::string& why);
  // A target is left for `t` (and the request may still move on).
  bool has_next_target(const ClientTxn& t) const;
  // Retires `t` (kept under a new internal id when `keep_old`: it still has
  // an ACK or retransmissions to absorb, else freed) and starts its next
  // target under t's id.
  void next_target(ClientTxn& t, bool keep_old, const std::string& why);
  std::string non_2xx_ack(const ClientTxn& t, const Message& m) const;
  void on_response(const Message& m, const Flow& flow);
  void deliver_invite(ClientTxn& t, const Message& m, const Flow& flow);
  void deliver_non_invite(ClientTxn& t, const Message& m, const Flow& flow);
  void on_2xx_again(ClientTxn& t, const Message& m, const Flow& flow);
  Dialog& uac_dialog(ClientTxn& t, const Message& m, bool confirm);
  void send_cancel(ClientTxn& inv);
  void fail_client(ClientTxn& t, uint16_t status, const std::string& info);
  void remember_retry(const ClientTxn& t);

  // core_dialog.cc: requests inside dialogs
  void dialog_request(Command& cmd);
  uint64_t send_dialog_request(Dialog& d, uint64_t id, std::string_view method, const HeaderList* headers,
                               std::string_view body, bool internal, std::string_view extra);
  void send_ack(Command& cmd);
  void route_dialog(const Dialog& d, FlowFn fn);
  void resend_ack(uint64_t dialog_id);
  void cancel(Command& cmd);
  void destroy_dialog(Command& cmd);
  void terminate_dialog(Dialog& d, const char* info);
  void free_dialog(Dialog& d);
  Dialog* find_dialog(uint64_t id);
  Dialog* find_dialog(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag);
  void free_server(ServerTxn& t);
  void free_client(ClientTxn& t);
  void free_early(ClientTxn& t);

  EventLoop& loop_;
  EngineConfig cfg_;
  EngineCounters& counters_;
  Emit emit_;
  NextId next_id_;
  TxnTimes times_;
  ua::IdGen ids_;
  std::unique_ptr<TransportManager> transport_;
  std::unique_ptr<Resolver> resolver_;

  std::unordered_map<uint64_t, std::unique_ptr<ServerTxn>> server_txns_;
  std::unordered_map<std::string, ServerTxn*> server_by_key_;
  std::unordered_map<uint64_t, std::unique_ptr<ClientTxn>> client_txns_;
  std::unordered_map<std::string, ClientTxn*> client_by_key_;
  std::unordered_map<uint64_t, std::unique_ptr<Dialog>> dialogs_;
  std::unordered_map<std::string, Dialog*> dialog_by_key_;
  std::unordered_map<uint64_t, std::unique_ptr<RetryInfo>> retry_;
  std::unordered_map<uint64_t, Alternates> alternates_;
};

}  // namespace edgesbc::sip
