/* list.h: an intrusive, circular, doubly linked list. A worker keeps its
 * connection slots on such lists (the timeouts in deadline order, the parked,
 * the idle), each slot on at most one: taking a slot off or moving it is
 * O(1), with no allocation on the hot path. */
#ifndef CLIENT_LIST_H
#define CLIENT_LIST_H

#include <stdbool.h>

/* A list's head, or a link inside an element: next == NULL means the
 * element is on no list. */
struct link {
    struct link *prev, *next;
};

static inline void list_init(struct link *l)
{
    l->prev = l->next = l;
}

static inline bool list_empty(const struct link *l)
{
    return l->next == l;
}

/* Takes n off its list; nothing when it is on none. */
static inline void list_remove(struct link *n)
{
    if (n->next == NULL)
        return;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = NULL;
}

/* Puts n at the end of l, off any list it was on. */
static inline void list_append(struct link *l, struct link *n)
{
    list_remove(n);
    n->prev = l->prev;
    n->next = l;
    l->prev->next = n;
    l->prev = n;
}

/* The first element of a non-empty l. */
static inline struct link *list_first(const struct link *l)
{
    return l->next;
}

/* Moves every element of from, in order, onto dst (which need not be
 * initialised) and leaves from empty. */
static inline void list_take(struct link *dst, struct link *from)
{
    if (list_empty(from)) {
        list_init(dst);
        return;
    }
    dst->next = from->next;
    dst->prev = from->prev;
    dst->next->prev = dst;
    dst->prev->next = dst;
    list_init(from);
}

#endif
