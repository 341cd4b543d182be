// std::ios_base_library_init() appeared in GCC 13's libstdc++ (GLIBCXX_3.4.32). Older systems lack it;
// this shim provides the same effect: construct an ios_base::Init object once.
//
// Built with -nostartfiles so the library has no .init_array/.fini_array at all (no crtbegin
// __do_global_dtors_aux): a process exiting while another thread is still loading libtorch must never run a
// finaliser of this library. The Init object is therefore constructed in static storage and never destroyed;
// the standard streams are still flushed at exit by libstdc++'s and libtorch's own Init objects.
#include <ios>
#include <new>

namespace std {
void ios_base_library_init()
{
    alignas(ios_base::Init) static unsigned char storage[sizeof(ios_base::Init)];
    static bool constructed = false;
    if (!constructed)
    {
        ::new (static_cast<void*>(storage)) ios_base::Init();
        constructed = true;
    }
}
}
