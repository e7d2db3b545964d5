// Placeholder so the library target exists; delete once executors/ has real sources.
namespace liqd { int executors_placeholder = 0; }
