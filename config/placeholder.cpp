// Placeholder so the library target exists; delete once config/ has real sources.
namespace liqd { int config_placeholder = 0; }
