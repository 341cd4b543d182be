// std::ios_base_library_init() appeared in GCC 13's libstdc++ (GLIBCXX_3.4.32). Older systems lack it;
// this shim provides the same effect: construct the ios_base::Init object once.
#include <ios>
namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
