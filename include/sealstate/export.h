// SEALSTATE_EXPORT marks what the shared library exports: every class, function and variable
// declared in the public headers, and nothing else. The library is compiled with hidden
// visibility (meson.build), so internal symbols stay private to it: applications cannot come to
// depend on them, and the dynamic linker has fewer symbols to resolve at start-up.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define SEALSTATE_EXPORT [[gnu::visibility("default")]]
#else
#define SEALSTATE_EXPORT
#endif
