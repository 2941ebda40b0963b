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
// The host protocol is cycle for cycle the one of the Amaranth-simulator
// engine (kilauea/sim/engines/pysim.py, module docstring): between jobs the
// chip is not clocked; a job's first edge (the pick-up edge, inputs idle) is
// not counted; flits are presented one after another (taken at an edge where
// valid & ready); host_out.ready is high unless the host holds it; READ flits
// get a tag from a FIFO of free tags, at most `cap` outstanding. The packet
// format enters only through the field positions in kl_config (set from
// kilauea.hw.packet by Python).
#include KL_DESIGN_CC

#include <cxxrtl/cxxrtl_vcd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

extern "C" {

struct kl_config {
    int32_t kind_off, kind_mask;
    int32_t k_spike, k_resp, k_ctrl, k_read;
    int32_t tag_off, tag_mask;    // READ's tag
    int32_t rtag_off;             // READ_RESP's tag (same width)
    int32_t op_off, op_mask, op_done;
    int32_t arg_off;
    int64_t arg_mask;
    int32_t cap;               // max outstanding host reads
};

}  // extern "C"

namespace {

enum JobKind { JOB_STEP = 0, JOB_WRITE = 1, JOB_READ = 2, JOB_IDLE = 3 };
enum JobResult { DONE = 0, HANG = 1 };

struct Engine {
    cxxrtl_design::p_top top;
    kl_config cfg;
    bool out_ready = true;
    uint64_t total_cycles = 0;    // every edge simulated
    // results of the last job
    std::vector<uint64_t> spikes;   // host-bound SPIKE flits (step jobs)
    std::vector<uint64_t> resp;     // read answers by index (read jobs)
    std::vector<uint64_t> other;    // unexpected flits
    uint64_t cycles = 0;
    // waveforms
    cxxrtl::debug_items items;
    bool items_ready = false;
    cxxrtl::vcd_writer *vcd = nullptr;
    FILE *vcd_file = nullptr;
    bool tracing = false;

    uint32_t kind_of(uint64_t f) const { return (f >> cfg.kind_off) & cfg.kind_mask; }

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
        spikes.clear();
        other.clear();
        resp.assign(kind == JOB_READ ? n : 0, 0);
        cycles = 0;
        const uint32_t cap = cfg.cap;
        std::deque<uint32_t> free_tags;
        for (uint32_t i = 0; i < cap; i++) free_tags.push_back(i);
        std::vector<int64_t> tag_of(cfg.tag_mask + 1, -1);
        int64_t idx = 0, outstanding = 0;
        bool presenting = false;
        bool picked = false;
        set_valid(false);
        for (;;) {
            bool in_ready, out_valid;
            uint64_t flit;
            // host_out.ready as driven during this edge (at the pick-up edge:
            // as the previous job left it)
            bool ready_at_edge = top.p_host__out____ready.get<bool>();
            cycle(in_ready, out_valid, flit);
            if (presenting && in_ready) {
                presenting = false;
                if ((int64_t)kind_of(flits[idx]) == cfg.k_read) outstanding++;
                idx++;
            }
            bool received = out_valid && ready_at_edge;
            if (!picked) {
                picked = true;       // the pick-up edge is not counted
            } else {
                cycles++;
            }
            bool done = false;
            if (received) {
                uint32_t k = kind_of(flit);
                if ((int)k == cfg.k_spike && kind == JOB_STEP) {
                    spikes.push_back(flit);
                } else if ((int)k == cfg.k_resp && kind == JOB_READ) {
                    uint32_t tag = (flit >> cfg.rtag_off) & cfg.tag_mask;
                    int64_t i = tag_of[tag];
                    if (i < 0) {
                        other.push_back(flit);
                    } else {
                        tag_of[tag] = -1;
                        resp[i] = flit;
                        free_tags.push_back(tag);
                        outstanding--;
                    }
                } else if ((int)k == cfg.k_ctrl && kind == JOB_STEP
                           && (int)((flit >> cfg.op_off) & cfg.op_mask) == cfg.op_done) {
                    if (((flit >> cfg.arg_off) & (uint64_t)cfg.arg_mask) == t) done = true;
                    else other.push_back(flit);
                } else {
                    other.push_back(flit);
                }
            }
            if (kind == JOB_WRITE && idx == n) done = true;
            else if (kind == JOB_READ && idx == n && outstanding == 0) done = true;
            else if (kind == JOB_IDLE && cycles >= bound) done = true;
            if (!done && cycles >= bound) {
                set_valid(false);
                return HANG;
            }
            if (done) {
                set_valid(false);
                return DONE;
            }
            set_out_ready(out_ready);
            if (!presenting && idx < n) {
                uint64_t f = flits[idx];
                bool ok = true;
                if ((int64_t)kind_of(f) == cfg.k_read) {
                    if (outstanding >= (int64_t)cap || free_tags.empty()) {
                        ok = false;
                    } else {
                        uint32_t tag = free_tags.front();
                        free_tags.pop_front();
                        tag_of[tag] = idx;
                        f |= (uint64_t)tag << cfg.tag_off;
                    }
                }
                if (ok) {
                    set_payload(f);
                    presenting = true;
                }
            }
            set_valid(presenting);
        }
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

uint64_t kl_cycles(void *h) { return ((Engine *)h)->cycles; }
uint64_t kl_total_cycles(void *h) { return ((Engine *)h)->total_cycles; }

// The last job's results: which 0 spikes, 1 read answers, 2 other flits.
int64_t kl_result(void *h, int which, const uint64_t **ptr) {
    Engine *e = (Engine *)h;
    std::vector<uint64_t> &v = which == 0 ? e->spikes : which == 1 ? e->resp : e->other;
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
