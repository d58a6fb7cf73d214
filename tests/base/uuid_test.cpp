#include "core/base/uuid.h"

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace registry {
namespace {

TEST_CASE("Uuid: parses and formats the canonical text form") {
  auto id = Uuid::Parse("123E4567-e89b-12d3-a456-426614174000");
  REQUIRE(id.ok());
  CHECK(id->ToString() == "123e4567-e89b-12d3-a456-426614174000");
  CHECK(id->bytes()[0] == 0x12);
  CHECK(id->bytes()[15] == 0x00);
  CHECK_FALSE(id->is_nil());
  CHECK(Uuid().is_nil());
}

TEST_CASE("Uuid: rejects malformed text with a message naming it") {
  for (const char* bad : {"", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g",
                          "123e4567-e89b-12d3-a456_426614174000", "123e4567-e89b-12d3-a456-4266141740000"}) {
    auto id = Uuid::Parse(bad);
    REQUIRE_FALSE(id.ok());
    CHECK(id.status().reason() == "invalid_uuid");
    CHECK(id.status().message().find("is not a UUID") != std::string::npos);
  }
  CHECK_FALSE(Uuid::FromBytes("short").ok());
}

TEST_CASE("Uuid: random ids are version 4 and distinct") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    Uuid id = Uuid::NewRandom();
    CHECK((id.bytes()[6] >> 4) == 4);
    CHECK((id.bytes()[8] & 0xC0) == 0x80);
    seen.insert(id.ToString());
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("Uuid: random ids made on several threads at once are all distinct") {
  // Each thread draws from its own pool of the kernel's random bytes.
  constexpr int kThreads = 4;
  constexpr int kEach = 500;  // several refills of each pool
  std::vector<std::vector<Uuid>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kEach; ++i) made[static_cast<std::size_t>(t)].push_back(Uuid::NewRandom());
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<Uuid> seen;
  for (const auto& ids : made) seen.insert(ids.begin(), ids.end());
  CHECK(seen.size() == kThreads * kEach);
}

TEST_CASE("Uuid: time-ordered ids are version 7, carry the time, and sort in order made") {
  Uuid first = Uuid::NewTimeOrdered();
  CHECK((first.bytes()[6] >> 4) == 7);
  CHECK((first.bytes()[8] & 0xC0) == 0x80);
  std::uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | first.bytes()[static_cast<std::size_t>(i)];
  const auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch()).count());
  CHECK(ms <= now);
  CHECK(now - ms < 10'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CHECK(first < Uuid::NewTimeOrdered());
}

TEST_CASE("Uuid: derived ids are deterministic, distinct per index, and index 0 is the base") {
  Uuid base = *Uuid::Parse("00000000-0000-4000-8000-000000000001");
  CHECK(Uuid::Derive(base, 0) == base);
  CHECK(Uuid::Derive(base, 1) == Uuid::Derive(base, 1));
  std::set<Uuid> seen{base};
  for (std::uint32_t i = 1; i < 100'000; ++i) seen.insert(Uuid::Derive(base, i));
  CHECK(seen.size() == 100'000);
  // They share the base's first 12 bytes, so they sit together in an index.
  CHECK(std::equal(base.bytes().begin(), base.bytes().begin() + 12, Uuid::Derive(base, 7).bytes().begin()));
  Uuid other = *Uuid::Parse("00000000-0000-4000-8000-000000000002");
  CHECK(Uuid::Derive(base, 1) != Uuid::Derive(other, 1));
}

TEST_CASE("Uuid: DerivedIndex finds the index an id was derived with, or says there is none") {
  const Uuid base = Uuid::NewTimeOrdered();
  for (std::uint32_t i : {0u, 1u, 2u, 4999u, 123'456u, 0xFFFFFFFFu}) {
    CHECK(Uuid::DerivedIndex(base, Uuid::Derive(base, i)) == i);
  }
  // Another base with the same first 12 bytes: its ids are some base's ids at other indexes.
  Uuid::Bytes near = base.bytes();
  near[15] ^= 0x01;
  const Uuid neighbour(near);
  const auto index = Uuid::DerivedIndex(base, neighbour);
  REQUIRE(index.has_value());
  CHECK(Uuid::Derive(base, *index) == neighbour);
  // A different prefix is never derived from base.
  Uuid::Bytes far = base.bytes();
  far[3] ^= 0x10;
  CHECK_FALSE(Uuid::DerivedIndex(base, Uuid(far)).has_value());
}

}  // namespace
}  // namespace registry
