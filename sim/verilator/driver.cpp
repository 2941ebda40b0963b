// The compiled engine's Verilator driver (kilauea.sim.verilator): runs whole
// host-port jobs on the Verilated chip, with the job loop the CXXRTL driver
// uses (kilauea/sim/cxxrtl/hostjobs.h), and the same C API (kl_*), so one
// ctypes wrapper (kilauea.sim.cxxrtl.model.Model) loads either library.
//
// The Verilated top is `Vkl`: the wrapper module kl_top that build.py writes
// around the design's top (ports clk, rst, in_{valid,ready,payload},
// out_{valid,ready,payload}, status).
//
// One clock cycle: settle with clk low (eval), sample the outputs (the values
// the rising edge sees), raise clk (eval). Inputs set between cycles are seen
// by the next settle, as in the CXXRTL driver.
//
// Not available here (the CXXRTL back end has them): debug items by name
// beyond the top's `status` port, backdoor memory writes (kl_poke_mem
// returns 0 and the engine loads memories with WRITE packets) and waveforms.
#include "Vkl.h"
#include "verilated.h"

#include "hostjobs.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace {

struct Engine {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vkl> top;
    kl_config cfg;
    bool out_ready = true;
    uint64_t total_cycles = 0;
    kl::JobResults res;

    Engine() : ctx(new VerilatedContext) {
        top.reset(new Vkl(ctx.get(), "top"));
    }
    ~Engine() { top->final(); }

    inline bool out_ready_now() { return top->out_ready; }
    inline void set_valid(bool v) { top->in_valid = v; }
    inline void set_payload(uint64_t f) { top->in_payload = f; }
    inline void set_out_ready(bool v) { top->out_ready = v; }

    inline void cycle(bool &in_ready, bool &out_valid, uint64_t &out_payload) {
        top->clk = 0;
        top->eval();
        in_ready = top->in_ready;
        out_valid = top->out_valid;
        out_payload = top->out_payload;
        top->clk = 1;
        top->eval();
        total_cycles++;
    }
};

}  // namespace

extern "C" {

void *kl_create(const kl_config *cfg) {
    Engine *e = new Engine();
    e->cfg = *cfg;
    e->top->rst = 0;
    e->top->clk = 0;
    e->top->in_valid = 0;
    e->top->out_ready = 1;
    e->top->eval();
    return e;
}

void kl_destroy(void *h) { delete (Engine *)h; }

int kl_job(void *h, int kind, const uint64_t *flits, int64_t n, uint64_t bound, uint64_t t) {
    Engine *e = (Engine *)h;
    return kl::run_job(*e, e->cfg, e->out_ready, e->res, kind, flits, n, bound, t);
}

uint64_t kl_cycles(void *h) { return ((Engine *)h)->res.cycles; }
uint64_t kl_total_cycles(void *h) { return ((Engine *)h)->total_cycles; }

int64_t kl_result(void *h, int which, const uint64_t **ptr) {
    Engine *e = (Engine *)h;
    std::vector<uint64_t> &v = which == 0 ? e->res.spikes : which == 1 ? e->res.resp : e->res.other;
    *ptr = v.data();
    return (int64_t)v.size();
}

void kl_set_out_ready(void *h, int ready) { ((Engine *)h)->out_ready = ready != 0; }

// The only named item: the host port's 32-bit status word.
static const char STATUS[] = "status";

int64_t kl_item_names(void *, char *buf, int64_t cap) {
    const int64_t n = sizeof(STATUS);      // "status\n"
    if (n <= cap) {
        std::memcpy(buf, STATUS, n - 1);
        buf[n - 1] = '\n';
    }
    return n;
}

int kl_item_info(void *, const char *name, uint32_t *width, uint32_t *depth, uint32_t *type) {
    if (std::strcmp(name, STATUS) != 0) return 0;
    *width = 32;
    *depth = 1;
    *type = 0;
    return 1;
}

int kl_peek(void *h, const char *name, uint32_t index, uint32_t *out) {
    Engine *e = (Engine *)h;
    if (std::strcmp(name, STATUS) != 0 || index != 0) return 0;
    e->top->clk = 0;
    e->top->eval();
    *out = e->top->status;
    return 1;
}

int kl_poke_mem(void *, const char *, uint32_t, const uint32_t *, uint32_t) { return 0; }

int kl_trace_open(void *, const char *) { return 0; }
void kl_trace_enable(void *, int) {}
void kl_trace_flush(void *) {}

}  // extern "C"
