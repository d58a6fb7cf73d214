#include "core/store/payload_codec.h"

#include <doctest/doctest.h>

#include <cstring>

namespace registry::store {
namespace {

CivilDate D(const char* text) { return *CivilDate::Parse(text); }

std::vector<Event> OneOfEach() {
  SessionOpened opened{"council-110", "Council", 110, SessionOpened::Kind::kRegular, "Geneva",
                       D("2019-11-26"), D("2019-11-29"), "10:00", "Europe/Zurich",
                       std::int64_t{1574758800000000}};
  return {
      EntityRegistered{"XKX", "Kosovo", "user-assigned"},
      ApplicationReceived{"LBN", D("2019-06-01"), "by note verbale"},
      ApplicationApproved{"LBN", D("2019-11-26"), "council-110", "Res. 1", ""},
      MembershipTookEffect{"RUS", D("2021-04-19"), "acceptance deposited"},
      ApplicationClosed{"LBN", D("2020-05-28"), ApplicationClosed::Outcome::kRejected, "parliament"},
      MembershipEnded{"DDR", D("1990-10-03"), MembershipEnded::Reason::kMerger, "DEU", ""},
      MembershipResumed{"FRA", D("1970-01-01"), ""},
      SeatSucceeded{"SUN", "RUS", D("1991-12-24"), ""},
      StateRenamed{"SVK", D("2000-01-01"), "Slovak Republic"},
      ObserverStatusGranted{"RUS", D("1992-05-27"), ""},
      ObserverStatusEnded{"RUS", D("2021-04-19"), ""},
      OpeningBalanceRecorded{D("2019-11-25"), {"AFG", "ALB", "DZA"}, "paper records"},
      opened,
      SessionClosed{"council-110", D("2019-11-29")},
      PanelScheduled{"council-110", D("2019-11-27"), "World Migration Report 2020", {"A"}, {"B", "C"}},
      PanelScheduled{"council-110", std::nullopt, "Mobility Dynamics in the Sahel", {}, {}},
      AddressDelivered{"council-110", D("2019-11-26"), "António Vitorino", "Director General", ""},
      DecisionAdopted{"council-110", D("2019-11-26"), "Res. 1", "Lebanon", {"LBN"}},
      EventCorrected{7, MembershipTookEffect{"RUS", D("2021-04-20"), ""}, "date"},
      EventRetracted{9, "recorded in error"},
  };
}

constexpr std::uint64_t kGoldenFingerprint = 2268830832706771404ull;
constexpr std::string_view kGoldenSizes = "46 38 56 43 34 35 23 34 38 23 23 66 105 23 102 74 80 71 47 33 ";

TEST_CASE("PayloadCodec: every event type round-trips with its type and schema version") {
  for (const Event& event : OneOfEach()) {
    EncodedPayload encoded = EncodeEvent(event);
    CHECK(encoded.type == TypeName(event));
    CHECK(encoded.schema_version == 1);
    auto decoded = DecodeEvent(encoded.type, encoded.schema_version, encoded.bytes);
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
    CHECK(*decoded == event);
  }
}

// FNV-1a, 64 bits: a stable fingerprint of bytes.
std::uint64_t Fingerprint(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

TEST_CASE("PayloadCodec: the stored bytes of every type stay what they were") {
  // Payloads are hashed into the chain and kept forever: an encoder change that moves a
  // single byte would make every stored log unverifiable. The fingerprint and sizes were
  // taken from cereal's own BinaryOutputArchive, which the codec used first.
  std::string all;
  std::string sizes;
  for (const Event& event : OneOfEach()) {
    const std::string bytes = EncodeEvent(event).bytes;
    all += bytes;
    sizes += std::to_string(bytes.size()) + " ";
  }
  CHECK(sizes == kGoldenSizes);
  CHECK(Fingerprint(all) == kGoldenFingerprint);
}

TEST_CASE("PayloadCodec: unknown types and schema versions are refused") {
  auto bytes = EncodeEvent(OneOfEach()[1]).bytes;
  CHECK(DecodeEvent("NoSuchEvent", 1, bytes).status().reason() == "unknown_event_type");
  CHECK(DecodeEvent("ApplicationReceived", 2, bytes).status().reason() == "unknown_event_type");
}

TEST_CASE("PayloadCodec: every truncation and any trailing byte is DataLoss, never a crash") {
  for (const Event& event : OneOfEach()) {
    EncodedPayload encoded = EncodeEvent(event);
    for (std::size_t n = 0; n < encoded.bytes.size(); ++n) {
      auto decoded = DecodeEvent(encoded.type, 1, std::string_view(encoded.bytes).substr(0, n));
      REQUIRE_FALSE(decoded.ok());
      CHECK(decoded.status().reason() == "bad_payload");
    }
    auto longer = DecodeEvent(encoded.type, 1, encoded.bytes + "x");
    CHECK(longer.status().message().find("trailing") != std::string::npos);
  }
}

TEST_CASE("PayloadCodec: a huge length prefix does not allocate, and bad values are refused") {
  std::string bytes = EncodeEvent(ApplicationReceived{"LBN", D("2019-06-01"), ""}).bytes;
  std::uint64_t huge = 1ULL << 40;
  std::memcpy(bytes.data(), &huge, sizeof huge);  // the state string's length
  auto decoded = DecodeEvent("ApplicationReceived", 1, bytes);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().message().find("length exceeds") != std::string::npos);

  SUBCASE("a boolean byte that is neither 0 nor 1 (found by fuzzing, undefined behaviour before)") {
    PanelScheduled panel;
    panel.session = "council-110";
    panel.title = "WMR";
    std::string b = EncodeEvent(panel).bytes;
    REQUIRE(b[8 + 11] == 1);  // after the session: cereal writes std::optional's "nullopt" flag
    b[8 + 11] = 83;
    auto bad = DecodeEvent("PanelScheduled", 1, b);
    CHECK(bad.status().reason() == "bad_payload");
    CHECK(bad.status().message().find("neither 0 nor 1") != std::string::npos);
  }
  SUBCASE("a date outside the supported range") {
    std::string b = EncodeEvent(MembershipResumed{"FRA", D("1970-01-01"), ""}).bytes;
    std::int32_t far = 10'000'000;
    std::memcpy(b.data() + 8 + 3, &far, sizeof far);  // after the u64 length and "FRA"
    CHECK(DecodeEvent("MembershipResumed", 1, b).status().reason() == "bad_payload");
  }
  SUBCASE("an enumeration value out of range") {
    std::string b = EncodeEvent(ApplicationClosed{"LBN", D("2020-05-28"),
                                                  ApplicationClosed::Outcome::kLapsed, ""}).bytes;
    b[8 + 3 + 4] = 7;
    CHECK(DecodeEvent("ApplicationClosed", 1, b).status().reason() == "bad_payload");
  }
  SUBCASE("an oversized payload") {
    CHECK(DecodeEvent("ApplicationReceived", 1, std::string(kMaxPayloadBytes + 1, 'x')).status().reason() ==
          "bad_payload");
  }
}

}  // namespace
}  // namespace registry::store
