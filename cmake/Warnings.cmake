# Strict warnings for liqd's own code; generated code (protobuf) opts out.
add_library(liqd_warnings INTERFACE)
target_compile_options(liqd_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual
  -Wimplicit-fallthrough
  $<$<BOOL:${LIQD_WERROR}>:-Werror>)
# __int128 is a GNU extension; -Wpedantic would flag every use of it.
target_compile_options(liqd_warnings INTERFACE -Wno-pedantic)
# Boost 1.74 Asio under GCC 12 / C++20 needs <utility> before any Asio header.
target_compile_options(liqd_warnings INTERFACE -include utility)

# liqd_add_test(NAME name SOURCES ... LIBS ... LABELS ...)
# Every test is a GoogleTest binary registered with ctest under its labels
# (unit, e2e, fuzz, threaded). `threaded` tests also run under the tsan preset.
function(liqd_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock liqd_warnings)
  target_compile_definitions(${T_NAME} PRIVATE LIQD_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT 600)
  liqd_register_test_target(${T_NAME} "${T_LABELS}")
endfunction()

# Test binaries by label, so run.sh can build only what a preset runs.
function(liqd_register_test_target NAME LABELS)
  foreach(L IN LISTS LABELS)
    set_property(GLOBAL APPEND PROPERTY LIQD_TESTS_${L} ${NAME})
  endforeach()
endfunction()

# liqd_add_fuzz(NAME name SOURCES ... LIBS ... CORPUS dir [SECONDS n])
# The sources define LLVMFuzzerTestOneInput. With LIQD_FUZZ (clang) it links
# libFuzzer and ctest runs it for SECONDS on a copy of the seed corpus; otherwise
# it links tests/fuzz/standalone_main.cpp, which replays the corpus and a bounded
# number of deterministic mutations of it (a smoke run that any compiler can do).
# CI keeps SECONDS short (its time budget); -DLIQD_FUZZ_SECONDS=N runs every target
# for N seconds instead, for a longer hunt by hand.
set(LIQD_FUZZ_SECONDS "" CACHE STRING "Run every libFuzzer target for this many seconds (empty: each target's own)")
function(liqd_add_fuzz)
  cmake_parse_arguments(F "" "NAME;CORPUS;SECONDS" "SOURCES;LIBS" ${ARGN})
  if(LIQD_FUZZ_SECONDS)
    set(F_SECONDS ${LIQD_FUZZ_SECONDS})
  elseif(NOT F_SECONDS)
    set(F_SECONDS 10)
  endif()
  add_executable(${F_NAME} ${F_SOURCES})
  target_link_libraries(${F_NAME} PRIVATE ${F_LIBS} liqd_warnings)
  if(LIQD_FUZZ)
    target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${F_NAME}
      COMMAND ${CMAKE_COMMAND} -E env ${CMAKE_COMMAND}
        -DFUZZER=$<TARGET_FILE:${F_NAME}> -DCORPUS=${F_CORPUS} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/${F_NAME}_corpus
        -DSECONDS=${F_SECONDS} -P ${PROJECT_SOURCE_DIR}/cmake/RunFuzzer.cmake)
  else()
    target_sources(${F_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests/fuzz/standalone_main.cpp)
    add_test(NAME ${F_NAME} COMMAND ${F_NAME} ${F_CORPUS})
  endif()
  set_tests_properties(${F_NAME} PROPERTIES LABELS fuzz TIMEOUT 300)
  liqd_register_test_target(${F_NAME} fuzz)
endfunction()
