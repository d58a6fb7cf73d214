// Renders registryd's JSON answers as text for people: one function per answer kind.
// Pure functions of the JSON; the --json flag bypasses them.
#ifndef COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_RENDER_H_
#define COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_RENDER_H_

#include <nlohmann/json.hpp>

#include <string>

namespace registry::ctl {

std::string RenderCount(const nlohmann::json& a);
std::string RenderMembers(const nlohmann::json& a);
std::string RenderPending(const nlohmann::json& a);
std::string RenderState(const nlohmann::json& a);
std::string RenderSessions(const nlohmann::json& a);
std::string RenderSession(const nlohmann::json& a);
std::string RenderTimeline(const nlohmann::json& a);
std::string RenderEvent(const nlohmann::json& e);  // one log line
std::string RenderWrite(const nlohmann::json& a);
std::string RenderVerify(const nlohmann::json& a);
std::string RenderHealth(const nlohmann::json& a);
std::string RenderError(const nlohmann::json& error_body, int http_status);

}  // namespace registry::ctl

#endif  // COUNCIL_REGISTRY_TOOLS_REGISTRYCTL_RENDER_H_
