#pragma once
#include <chrono>
#include <thread>

namespace liqd::feeds::test {

// Waits (bounded) until pred() holds; polls every 5 ms.
template <class Pred>
bool wait_until(Pred pred, int timeout_ms = 20000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace liqd::feeds::test
