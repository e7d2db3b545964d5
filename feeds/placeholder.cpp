// Placeholder so the library target exists; delete once feeds/ has real sources.
namespace liqd { int feeds_placeholder = 0; }
