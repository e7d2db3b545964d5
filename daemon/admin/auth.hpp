#pragma once
// Admin API authentication: a bearer token read from a file that only its owner
// may read (mode 0600 or stricter: liqd refuses to start otherwise), compared
// in constant time so response timing does not leak the token.
#include <string>
#include <string_view>

namespace liqd::admin {

// Loads the token (trailing whitespace trimmed). On error returns false and a
// message naming the file and the problem.
bool load_token_file(const std::string& path, std::string& token, std::string& error);

// True when `authorization` is exactly "Bearer <token>".
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace liqd::admin
