#include "journal/stamped_event.h"

namespace sealstate::internal {

JournalEvent StampedEvent(const ProcessIdentity& self, std::string event, std::string rev, std::string lock_id,
                          std::string detail, std::int64_t envelope_version) {
  JournalEvent e;
  e.event = std::move(event);
  e.rev = std::move(rev);
  e.lock_id = std::move(lock_id);
  e.actor = self.user + "@" + self.host;
  e.pid = self.pid;
  e.detail = std::move(detail);
  e.envelope_version = envelope_version;
  return e;
}

JournalEvent StampedWriteEvent(const ProcessIdentity& self, std::string rev, std::string lock_id, WrittenFacts facts) {
  JournalEvent e = StampedEvent(self, "write", std::move(rev), std::move(lock_id), "", facts.envelope_version);
  e.size = facts.size;
  e.entries = facts.entries;
  e.operation = std::move(facts.operation);
  return e;
}

}  // namespace sealstate::internal
