#pragma once
// One entry point per benchmark family; bench/main.cpp dispatches on argv[1].
namespace liqd::bench {
int run_core(int argc, char** argv);    // health index vs full scan (issue 4)
int run_feeds(int argc, char** argv);   // parsers and book apply (issue 6)
int run_route(int argc, char** argv);   // router decision time and slippage (issue 7)
}  // namespace liqd::bench
