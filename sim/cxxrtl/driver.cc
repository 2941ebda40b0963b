// The compiled engine's C++ driver (kilauea.sim.cxxrtl): runs whole host-port
// jobs (a step, a batch of writes, a batch of reads) on the CXXRTL model of
// the chip, so Python calls in once per job, never once per cycle.
//
// Built as one translation unit: the build defines KL_DESIGN_CC as the path
// of the generated design (amaranth.back.cxxrtl / yosys write_cxxrtl) and this
// file includes it. The top is `cxxrtl_design::p_top`, a kilauea.hw.noc.Noc
// (or the Chip built on it): ports clk, rst, host_in__{valid,ready,payload},
// host_out__{valid,ready,payload}.
//
// The job loop and the host protocol are in hostjobs.h (shared with the
// Verilator driver).
#include KL_DESIGN_CC

#include <cxxrtl/cxxrtl_vcd.h>

#include "hostjobs.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

struct Engine {
    cxxrtl_design::p_top top;
    kl_config cfg;
    bool out_ready = true;
    uint64_t total_cycles = 0;    // every edge simulated
    kl::JobResults res;           // of the last job
    // waveforms
    cxxrtl::debug_items items;
    bool items_ready = false;
    cxxrtl::vcd_writer *vcd = nullptr;
    FILE *vcd_file = nullptr;
    bool tracing = false;

    void ensure_items() {
        if (!items_ready) {
            top.debug_info(&items, nullptr, "");
            items_ready = true;
        }
    }

    void flush_vcd(bool force) {
        if (vcd && vcd_file && (force || vcd->buffer.size() > (1u << 20))) {
            fwrite(vcd->buffer.data(), 1, vcd->buffer.size(), vcd_file);
            vcd->buffer.clear();
        }
    }

    // Input setters (only write what changes).
    inline void set_valid(bool v) {
        if (top.p_host__in____valid.get<bool>() != v) top.p_host__in____valid.set<bool>(v);
    }
    inline void set_payload(uint64_t f) {
        if (top.p_host__in____payload.get<uint64_t>() != f) top.p_host__in____payload.set<uint64_t>(f);
    }
    inline bool out_ready_now() { return top.p_host__out____ready.get<bool>(); }
    inline void set_out_ready(bool v) {
        if (top.p_host__out____ready.get<bool>() != v) top.p_host__out____ready.set<bool>(v);
    }

    // One clock cycle. The generated eval() computes the whole design in one
    // pass (yosys schedules it; the build checks that eval never reports
    // "not converged", else it defines KL_SETTLE_EACH_EDGE): at a rising edge
    // it computes every output from the state *before* the edge and the
    // present inputs, and the next state from the same values. So one eval
    // with the edge forced, then commit, is a whole cycle, and the outputs it
    // leaves are the values sampled at the edge. While tracing (and with
    // KL_SETTLE_EACH_EDGE) a cycle is the textbook pair: settle with clk low,
    // sample, rise.
    bool settled = true;          // outputs reflect the present state
    uint64_t last_sample = UINT64_MAX;

    inline void vcd_sample(uint64_t t) {
        if (t != last_sample) {
            vcd->sample(t);
            last_sample = t;
        }
    }

    // Bring outputs and comb values up to date with the state (for peeks).
    void settle() {
        if (!settled) {
            top.p_clk.set<bool>(false);
            top.step();
            settled = true;
        }
    }

    inline void cycle(bool &in_ready, bool &out_valid, uint64_t &out_payload) {
#ifndef KL_SETTLE_EACH_EDGE
        if (!tracing) {
            top.p_clk.set<bool>(true);
            top.prev_p_clk.set<bool>(false);
            top.eval();
            in_ready = top.p_host__in____ready.get<bool>();
            out_valid = top.p_host__out____valid.get<bool>();
            out_payload = top.p_host__out____payload.get<uint64_t>();
            top.commit();
            settled = false;
            total_cycles++;
            return;
        }
#endif
        top.p_clk.set<bool>(false);
        top.step();
        if (tracing) vcd_sample(total_cycles * 1000 + 500);
        in_ready = top.p_host__in____ready.get<bool>();
        out_valid = top.p_host__out____valid.get<bool>();
        out_payload = top.p_host__out____payload.get<uint64_t>();
        top.p_clk.set<bool>(true);
        top.step();
        settled = false;
        total_cycles++;
        if (tracing) {
            vcd_sample(total_cycles * 1000);
            flush_vcd(false);
        }
    }

    int run_job(int kind, const uint64_t *flits, int64_t n, uint64_t bound, uint64_t t) {
        return kl::run_job(*this, cfg, out_ready, res, kind, flits, n, bound, t);
    }
};

const cxxrtl::debug_item *find_item(Engine *e, const char *name) {
    e->ensure_items();
    e->settle();
    auto it = e->items.table.find(name);
    if (it == e->items.table.end() || it->second.empty()) return nullptr;
    return &it->second[0];
}

}  // namespace

extern "C" {

void *kl_create(const kl_config *cfg) {
    Engine *e = new Engine();
    e->cfg = *cfg;
    e->top.p_rst.set<bool>(false);
    e->top.p_clk.set<bool>(false);
    e->top.p_host__in____valid.set<bool>(false);
    e->top.p_host__out____ready.set<bool>(true);
    e->top.step();
    return e;
}

void kl_destroy(void *h) {
    Engine *e = (Engine *)h;
    if (e->vcd) {
        e->flush_vcd(true);
        fclose(e->vcd_file);
        delete e->vcd;
    }
    delete e;
}

// Run one job. kind: 0 step (t = step number), 1 write, 2 read, 3 idle
// (`bound` cycles with nothing presented). Returns 0 done, 1 hang (bound).
int kl_job(void *h, int kind, const uint64_t *flits, int64_t n, uint64_t bound, uint64_t t) {
    return ((Engine *)h)->run_job(kind, flits, n, bound, t);
}

uint64_t kl_cycles(void *h) { return ((Engine *)h)->res.cycles; }
uint64_t kl_total_cycles(void *h) { return ((Engine *)h)->total_cycles; }

// The last job's results: which 0 spikes, 1 read answers, 2 other flits.
int64_t kl_result(void *h, int which, const uint64_t **ptr) {
    Engine *e = (Engine *)h;
    std::vector<uint64_t> &v = which == 0 ? e->res.spikes : which == 1 ? e->res.resp : e->res.other;
    *ptr = v.data();
    return (int64_t)v.size();
}

// Every debug item name, newline separated, into buf (size cap); returns the
// size needed.
int64_t kl_item_names(void *h, char *buf, int64_t cap) {
    Engine *e = (Engine *)h;
    e->ensure_items();
    std::string all;
    for (auto &kv : e->items.table) {
        all += kv.first;
        all += '\n';
    }
    if ((int64_t)all.size() <= cap) std::memcpy(buf, all.data(), all.size());
    return (int64_t)all.size();
}

void kl_set_out_ready(void *h, int ready) { ((Engine *)h)->out_ready = ready != 0; }

// Debug items by hierarchical name (space separated, as CXXRTL names them).
// kl_item_info: width, depth (0 when absent), type.
int kl_item_info(void *h, const char *name, uint32_t *width, uint32_t *depth, uint32_t *type) {
    const cxxrtl::debug_item *it = find_item((Engine *)h, name);
    if (!it) return 0;
    *width = it->width;
    *depth = it->depth;
    *type = it->type;
    return 1;
}

// Copy the 32-bit chunks of element `index` (0 for wires) into out; 1 if found.
int kl_peek(void *h, const char *name, uint32_t index, uint32_t *out) {
    const cxxrtl::debug_item *it = find_item((Engine *)h, name);
    if (!it || index >= it->depth) return 0;
    if (it->outline) it->outline->eval();
    size_t chunks = (it->width + 31) / 32;
    std::memcpy(out, it->curr + chunks * index, chunks * sizeof(uint32_t));
    return 1;
}

// Write `count` consecutive elements of a memory from `index` (backdoor).
int kl_poke_mem(void *h, const char *name, uint32_t index, const uint32_t *words, uint32_t count) {
    const cxxrtl::debug_item *it = find_item((Engine *)h, name);
    if (!it || it->type != cxxrtl::debug_item::MEMORY || (uint64_t)index + count > it->depth)
        return 0;
    size_t chunks = (it->width + 31) / 32;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t *dst = it->curr + chunks * (index + i);
        std::memset(dst, 0, chunks * sizeof(uint32_t));
        dst[0] = words[i];
        if (it->width < 32) dst[0] &= (1u << it->width) - 1;
    }
    return 1;
}

// Waveforms: open a VCD file (every wire, no memories); sampling runs while
// kl_trace_enable(h, 1).
int kl_trace_open(void *h, const char *path) {
    Engine *e = (Engine *)h;
    if (e->vcd) return 1;
    e->vcd_file = fopen(path, "wb");
    if (!e->vcd_file) return 0;
    e->ensure_items();
    e->vcd = new cxxrtl::vcd_writer();
    e->vcd->timescale(1, "ns");
    e->vcd->add_without_memories(e->items);
    return 1;
}

void kl_trace_enable(void *h, int on) {
    Engine *e = (Engine *)h;
    e->tracing = on && e->vcd;
    if (e->tracing) {
        e->settle();
        e->vcd_sample(e->total_cycles * 1000);
    }
}

void kl_trace_flush(void *h) { ((Engine *)h)->flush_vcd(true); }

}  // extern "C"
