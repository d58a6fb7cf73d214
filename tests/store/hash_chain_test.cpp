#include "core/store/hash_chain.h"

#include <doctest/doctest.h>

namespace registry::store {
namespace {

RecordedEvent Sample() {
  RecordedEvent e;
  e.position = 1;
  e.stream_id = "ab";
  e.stream_version = 1;
  e.type = "T";
  e.schema_version = 1;
  e.payload = "xyz";
  e.event_id = *Uuid::Parse("00112233-4455-6677-8899-aabbccddeeff");
  e.recorded_at_us = 258;
  e.recorded_by = "me";
  return e;
}

TEST_CASE("HashChain: canonical bytes follow the documented layout exactly") {
  using namespace std::string_literals;
  const std::string expected =
      "CRE1"s +
      "\0\0\0\0\0\0\0\x01"s +          // position
      "\0\0\0\x02"s + "ab" +           // stream id
      "\0\0\0\0\0\0\0\x01"s +          // stream version
      "\0\0\0\x01"s + "T" +            // type
      "\0\0\0\x01"s +                  // schema version
      "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"s +  // event id
      "\0\0\0\0\0\0\x01\x02"s +        // recorded at (258)
      "\0\0\0\x02"s + "me" +           // recorded by
      "\0"s +                          // no correlation id
      "\0"s +                          // no causation id
      "\0\0\0\x03"s + "xyz";           // payload
  CHECK(CanonicalBytes(Sample()) == expected);
}

TEST_CASE("HashChain: the first event's hash matches a known SHA-256 vector") {
  // Computed independently with Python hashlib over the layout in schema/README.md.
  CHECK(HashToHex(ChainHash(Hash{}, Sample())) ==
        "bbe043754b493c95953875b58599b59df2e608f21546a6de279949f247e5cc40");
}

TEST_CASE("HashChain: any change to a field or to the previous hash changes the hash") {
  const Hash base = ChainHash(Hash{}, Sample());
  Hash previous{};
  previous[31] = 1;
  CHECK(ChainHash(previous, Sample()) != base);
  auto changed = [&](auto mutate) {
    RecordedEvent e = Sample();
    mutate(e);
    return ChainHash(Hash{}, e) != base;
  };
  CHECK(changed([](RecordedEvent& e) { e.position = 2; }));
  CHECK(changed([](RecordedEvent& e) { e.stream_id = "ac"; }));
  CHECK(changed([](RecordedEvent& e) { e.stream_version = 2; }));
  CHECK(changed([](RecordedEvent& e) { e.type = "U"; }));
  CHECK(changed([](RecordedEvent& e) { e.schema_version = 2; }));
  CHECK(changed([](RecordedEvent& e) { e.payload = "xyZ"; }));
  CHECK(changed([](RecordedEvent& e) { e.event_id = Uuid::NewRandom(); }));
  CHECK(changed([](RecordedEvent& e) { e.recorded_at_us = 259; }));
  CHECK(changed([](RecordedEvent& e) { e.recorded_by = "you"; }));
  CHECK(changed([](RecordedEvent& e) { e.correlation_id = Uuid(); }));
  CHECK(changed([](RecordedEvent& e) { e.causation_id = Uuid(); }));
  // Length prefixes keep field boundaries: moving a byte between fields changes the hash.
  CHECK(changed([](RecordedEvent& e) {
    e.stream_id = "a";
    e.type = "bT";
  }));
}

}  // namespace
}  // namespace registry::store
