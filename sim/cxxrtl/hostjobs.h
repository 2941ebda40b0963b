// The host-port job loop shared by the compiled engine's drivers (CXXRTL:
// driver.cc beside this file; Verilator: kilauea/sim/verilator/driver.cpp).
//
// A job (a step, a batch of writes, a batch of reads, idle cycles) runs the
// host protocol of the Amaranth-simulator engine cycle for cycle
// (kilauea/sim/engines/pysim.py, module docstring): between jobs the chip is
// not clocked; a job's first edge (the pick-up edge, inputs idle) is not
// counted; flits are presented one after another (taken at an edge where
// valid & ready); host_out.ready is high unless the host holds it; READ flits
// get a tag from a FIFO of free tags, at most `cap` outstanding. The packet
// format enters only through the field positions in kl_config (set from
// kilauea.hw.packet by Python).
//
// `Chip` is the driver's model wrapper; it provides
//   bool out_ready_now();                    host_out.ready as now driven
//   void cycle(bool &in_ready, bool &out_valid, uint64_t &out_payload);
//       one clock edge; the outputs are the values sampled at that edge
//   void set_valid(bool), set_payload(uint64_t), set_out_ready(bool);
#pragma once

#include <cstdint>
#include <deque>
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

namespace kl {

enum JobKind { JOB_STEP = 0, JOB_WRITE = 1, JOB_READ = 2, JOB_IDLE = 3 };
enum JobResult { DONE = 0, HANG = 1 };

struct JobResults {
    std::vector<uint64_t> spikes;   // host-bound SPIKE flits (step jobs)
    std::vector<uint64_t> resp;     // read answers by index (read jobs)
    std::vector<uint64_t> other;    // unexpected flits
    uint64_t cycles = 0;            // counted edges
};

inline uint32_t kind_of(const kl_config &cfg, uint64_t f) {
    return (f >> cfg.kind_off) & cfg.kind_mask;
}

// File one received flit; true when it is the DONE(t) that ends a step job.
inline bool receive(const kl_config &cfg, JobResults &r, int kind, uint64_t flit, uint64_t t,
                    std::vector<int64_t> &tag_of, std::deque<uint32_t> &free_tags,
                    int64_t &outstanding) {
    uint32_t k = kind_of(cfg, flit);
    if ((int)k == cfg.k_spike && kind == JOB_STEP) {
        r.spikes.push_back(flit);
    } else if ((int)k == cfg.k_resp && kind == JOB_READ) {
        uint32_t tag = (flit >> cfg.rtag_off) & cfg.tag_mask;
        int64_t i = tag_of[tag];
        if (i < 0) {
            r.other.push_back(flit);
        } else {
            tag_of[tag] = -1;
            r.resp[i] = flit;
            free_tags.push_back(tag);
            outstanding--;
        }
    } else if ((int)k == cfg.k_ctrl && kind == JOB_STEP
               && (int)((flit >> cfg.op_off) & cfg.op_mask) == cfg.op_done) {
        if (((flit >> cfg.arg_off) & (uint64_t)cfg.arg_mask) == t) return true;
        r.other.push_back(flit);
    } else {
        r.other.push_back(flit);
    }
    return false;
}

// Run one job. kind: JOB_*; `bound`: cycle bound (IDLE: the cycles to run);
// `t`: the step number a STEP job waits for. Returns DONE or HANG.
template <class Chip>
int run_job(Chip &chip, const kl_config &cfg, bool out_ready, JobResults &r, int kind,
            const uint64_t *flits, int64_t n, uint64_t bound, uint64_t t) {
    r.spikes.clear();
    r.other.clear();
    r.resp.assign(kind == JOB_READ ? n : 0, 0);
    r.cycles = 0;
    const uint32_t cap = cfg.cap;
    std::deque<uint32_t> free_tags;
    for (uint32_t i = 0; i < cap; i++) free_tags.push_back(i);
    std::vector<int64_t> tag_of(cfg.tag_mask + 1, -1);
    int64_t idx = 0, outstanding = 0;
    bool presenting = false;
    bool picked = false;
    chip.set_valid(false);
    for (;;) {
        bool in_ready, out_valid;
        uint64_t flit;
        // host_out.ready as driven during this edge (at the pick-up edge: as
        // the previous job left it)
        bool ready_at_edge = chip.out_ready_now();
        chip.cycle(in_ready, out_valid, flit);
        if (presenting && in_ready) {
            presenting = false;
            if ((int64_t)kind_of(cfg, flits[idx]) == cfg.k_read) outstanding++;
            idx++;
        }
        if (!picked) {
            picked = true;       // the pick-up edge is not counted
        } else {
            r.cycles++;
        }
        bool done = out_valid && ready_at_edge
            && receive(cfg, r, kind, flit, t, tag_of, free_tags, outstanding);
        if (kind == JOB_WRITE && idx == n) done = true;
        else if (kind == JOB_READ && idx == n && outstanding == 0) done = true;
        else if (kind == JOB_IDLE && r.cycles >= bound) done = true;
        if (done || r.cycles >= bound) {
            chip.set_valid(false);
            return done ? DONE : HANG;
        }
        chip.set_out_ready(out_ready);
        if (!presenting && idx < n) {
            uint64_t f = flits[idx];
            bool ok = true;
            if ((int64_t)kind_of(cfg, f) == cfg.k_read) {
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
                chip.set_payload(f);
                presenting = true;
            }
        }
        chip.set_valid(presenting);
    }
}

}  // namespace kl
