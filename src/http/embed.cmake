# Writes a C++ source holding a file's bytes (cmake -P, at build time, so edits to the file rebuild it):
#   cmake -DIN=<file> -DOUT=<file.cc> -DSYMBOL=<name> -P embed.cmake
# defines journeyd::http::embedded::<name> (const unsigned char[], NUL-terminated) and <name>Size.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
get_filename_component(name "${IN}" NAME)
file(WRITE "${OUT}.tmp"
  "// Generated from ${name} by embed.cmake at build time. Do not edit.\n"
  "#include <cstddef>\n\n"
  "namespace journeyd::http::embedded {\n"
  "extern const unsigned char ${SYMBOL}[] = {${bytes}0};\n"
  "extern const size_t ${SYMBOL}Size = ${size};\n"
  "}  // namespace journeyd::http::embedded\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
