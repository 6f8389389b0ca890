// A small malloc on sbrk: first-fit over a singly linked free list, blocks carry their
// size. Enough for programs that grow their heap to show demand paging.
#include "cocoon.h"

namespace {

struct Block {
    size_t size;   // bytes after the header
    Block* next;   // in the free list
};

Block* free_list = nullptr;

} // namespace

extern "C" void* malloc(size_t size) {
    size = (size + 15) & ~size_t{15};
    for (Block** link = &free_list; *link; link = &(*link)->next) {
        if ((*link)->size >= size) {
            Block* b = *link;
            *link = b->next;
            return b + 1;
        }
    }
    void* raw = sbrk(static_cast<intptr_t>(sizeof(Block) + size));
    if (reinterpret_cast<intptr_t>(raw) < 0) return nullptr;
    auto* b = static_cast<Block*>(raw);
    b->size = size;
    return b + 1;
}

extern "C" void free(void* p) {
    if (!p) return;
    Block* b = static_cast<Block*>(p) - 1;
    b->next = free_list;
    free_list = b;
}
