"""Lava's in-depth tutorial three_factor_learning/tutorial01_Reward_Modulated_STDP.

The tutorial's cells (lava-nc/lava, tutorials/in_depth/three_factor_learning/
tutorial01_Reward_Modulated_STDP.ipynb) from the rule to the monitors' data are below as
they are, with ``lava.`` imports turned into ``kilauea.lava.`` and its ``utils`` module
imported as ``r_stdp_utils`` (the tutorial's ``utils.py``, same change). It runs with
the tutorial's ``SELECT_TAG = "fixed_pt"`` (its RSTDPLIFBitAcc neurons: LearningLIF +
RewardModulatedSTDP in fixed point) and with ``"floating_pt"``. The figures are drawn
with the tutorial's plotting helpers on the recorded spikes, traces, weights and tags,
and written as PNGs (``plt.show`` saves the current figure). Weights and tags equal
lava-nc 0.10's, measured by running the same cells under lava-nc.
"""
import numpy as np
import pytest

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Measured under lava-nc 0.10 with the same cells: final weights and tags of the two
# plastic synapses, and the number of steps at which each weight changed.
LAVA_NC = {
    "floating_pt": ([21822.85139541086, 1750.6494786129788, 4.235681075595102e-08,
                     1.827191726372451e-08], [20, 20]),
    "fixed_pt": ([184.0, -36.0, 0.0, 0.0], [10, 4]),
}


def tutorial_r_stdp(SELECT_TAG):  # noqa: C901 - the tutorial's cells, in order
    from kilauea.lava.proc.learning_rules.r_stdp_learning_rule import RewardModulatedSTDP

    R_STDP = RewardModulatedSTDP(learning_rate=1,
                                 A_plus=2,
                                 A_minus=-2,
                                 pre_trace_decay_tau=10,
                                 post_trace_decay_tau=10,
                                 pre_trace_kernel_magnitude=16,
                                 post_trace_kernel_magnitude=16,
                                 eligibility_trace_decay_tau=0.5,
                                 t_epoch=1
                                 )

    # LIF parameters
    if SELECT_TAG == "fixed_pt":
        du = 4095
        dv = 4095  # noqa: F841 (the tutorial's LIFs use dv=du)
    elif SELECT_TAG == "floating_pt":
        du = 1
        dv = 1  # noqa: F841
    vth = 240

    # Pre-synaptic neuron parameters
    num_neurons_pre = 1
    shape_lif_pre = (num_neurons_pre, )
    shape_conn_pre = (num_neurons_pre, num_neurons_pre)  # noqa: F841

    # SpikeIn -> pre-synaptic LIF connection weight
    wgt_inp_pre = np.eye(num_neurons_pre) * 250

    # Post-synaptic neuron parameters
    num_neurons_post = 2
    shape_lif_post = (num_neurons_post, )
    shape_conn_post = (num_neurons_post, num_neurons_pre)

    # SpikeIn -> post-synaptic LIF connection weight
    wgt_inp_post = np.eye(num_neurons_post) * 250

    # Third-factor input weights
    # Graded SpikeIn -> post-synaptic LIF connection weight
    wgt_inp_reward = np.eye(num_neurons_post) * 100

    # pre-LIF -> post-LIF connection initial weight (learning-enabled)
    # Plastic synapse
    wgt_plast_conn = np.full(shape_conn_post, 50)

    from r_stdp_utils import generate_post_spikes

    # Number of simulation time steps
    num_steps = 200
    time = list(range(1, num_steps + 1))

    # Spike times
    spike_prob = [0.03, 0.09]

    # Create random spike rasters
    np.random.seed(156)
    spike_raster_pre = np.zeros((num_neurons_pre, num_steps))
    np.place(spike_raster_pre, np.random.rand(num_neurons_pre, num_steps) < spike_prob[0], 1)

    # Create post spikes raster
    spike_raster_post = generate_post_spikes(spike_raster_pre, num_steps, spike_prob)

    # Create graded reward input spikes
    graded_reward_spikes = np.zeros((num_neurons_post, num_steps))
    for index in range(num_steps):
        if index in range(50, 70):
            graded_reward_spikes[0][index] = 6
        if index in range(150, 170):
            graded_reward_spikes[1][index] = 8

    from kilauea.lava.proc.lif.process import LIF
    from kilauea.lava.proc.io.source import RingBuffer as SpikeIn
    from kilauea.lava.proc.dense.process import LearningDense, Dense
    from r_stdp_utils import RSTDPLIF, RSTDPLIFModelFloat, RSTDPLIFBitAcc  # noqa: F401

    # Create input devices
    pattern_pre = SpikeIn(data=spike_raster_pre.astype(int))
    pattern_post = SpikeIn(data=spike_raster_post.astype(int))

    # Create graded reward input device
    reward_pattern_post = SpikeIn(data=graded_reward_spikes.astype(float))

    # Create input connectivity
    conn_inp_pre = Dense(weights=wgt_inp_pre)
    conn_inp_post = Dense(weights=wgt_inp_post)
    conn_inp_reward = Dense(weights=wgt_inp_reward, num_message_bits=5)

    # Create pre-synaptic neurons
    lif_pre = LIF(u=0,
                  v=0,
                  du=du,
                  dv=du,
                  bias_mant=0,
                  bias_exp=0,
                  vth=vth,
                  shape=shape_lif_pre,
                  name='lif_pre')

    # Create plastic connection
    plast_conn = LearningDense(weights=wgt_plast_conn,
                               learning_rule=R_STDP,
                               name='plastic_dense')

    # Create post-synaptic neuron
    lif_post = RSTDPLIF(u=0,
                        v=0,
                        du=du,
                        dv=du,
                        bias_mant=0,
                        bias_exp=0,
                        vth=vth,
                        shape=shape_lif_post,
                        name='lif_post',
                        learning_rule=R_STDP)

    # Connect network
    pattern_pre.s_out.connect(conn_inp_pre.s_in)
    conn_inp_pre.a_out.connect(lif_pre.a_in)

    pattern_post.s_out.connect(conn_inp_post.s_in)
    conn_inp_post.a_out.connect(lif_post.a_in)

    # Reward ports
    reward_pattern_post.s_out.connect(conn_inp_reward.s_in)
    conn_inp_reward.a_out.connect(lif_post.a_third_factor_in)

    lif_pre.s_out.connect(plast_conn.s_in)
    plast_conn.a_out.connect(lif_post.a_in)

    # Connect reward trace callback
    # Sending the post synaptic spikes
    lif_post.s_out_bap.connect(plast_conn.s_in_bap)

    lif_post.s_out_y1.connect(plast_conn.s_in_y1)

    # Sending graded reward spikes
    lif_post.s_out_y2.connect(plast_conn.s_in_y2)

    from kilauea.lava.proc.monitor.process import Monitor

    # Create monitors
    mon_pre_trace = Monitor()
    mon_post_trace = Monitor()
    mon_reward_trace = Monitor()
    mon_pre_spikes = Monitor()
    mon_post_spikes = Monitor()
    mon_weight = Monitor()
    mon_tag = Monitor()
    mon_s_in_y2 = Monitor()  # noqa: F841
    mon_y2 = Monitor()  # noqa: F841

    # Connect monitors
    mon_pre_trace.probe(plast_conn.x1, num_steps)
    mon_post_trace.probe(plast_conn.y1, num_steps)
    mon_reward_trace.probe(lif_post.s_out_y2, num_steps)
    mon_pre_spikes.probe(lif_pre.s_out, num_steps)
    mon_post_spikes.probe(lif_post.s_out, num_steps)
    mon_weight.probe(plast_conn.weights, num_steps)
    mon_tag.probe(plast_conn.tag_1, num_steps)

    from kilauea.lava.magma.core.run_conditions import RunSteps
    from kilauea.lava.magma.core.run_configs import Loihi2SimCfg

    # Running
    pattern_pre.run(condition=RunSteps(num_steps=num_steps),
                    run_cfg=Loihi2SimCfg(select_tag=SELECT_TAG))

    # Get data from monitors
    pre_trace = mon_pre_trace.get_data()['plastic_dense']['x1']
    post_trace = mon_post_trace.get_data()['plastic_dense']['y1']
    reward_trace = mon_reward_trace.get_data()['lif_post']['s_out_y2']
    pre_spikes = mon_pre_spikes.get_data()['lif_pre']['s_out']
    post_spikes = mon_post_spikes.get_data()['lif_post']['s_out']
    weights_neuron_A = mon_weight.get_data()['plastic_dense']['weights'][:, 0, 0]
    weights_neuron_B = mon_weight.get_data()['plastic_dense']['weights'][:, 1, 0]
    tag_neuron_A = mon_tag.get_data()['plastic_dense']['tag_1'][:, 0, 0]
    tag_neuron_B = mon_tag.get_data()['plastic_dense']['tag_1'][:, 1, 0]

    # Stopping
    pattern_pre.stop()

    # --- figures, with the tutorial's plotting helpers
    from r_stdp_utils import (plot_spikes, plot_time_series, plot_time_series_subplots,
                              plot_spikes_time_series)
    plot_spikes(spikes=[np.where(post_spikes[:, 1])[0], np.where(post_spikes[:, 0])[0],
                        np.where(pre_spikes[:, 0])[0]],
                figsize=(14, 4), legend=['Post-synaptic Neuron B', 'Post-synaptic Neuron A',
                                         'Pre-synaptic'],
                colors=['#370665', '#f14a16', '#35589A'], title='Spiking activity',
                num_steps=num_steps)
    plot_spikes_time_series(time=time, time_series=pre_trace,
                            spikes=[np.where(pre_spikes[:, 0])[0]], figsize=(14, 6),
                            legend=['Pre-synaptic'], colors='#35589A',
                            title=['Pre-synaptic trace'], num_steps=num_steps)
    plot_time_series_subplots(time=time, time_series_y1=post_trace[:, 0],
                              time_series_y2=post_trace[:, 1], ylabel="Trace value",
                              title="Post-synaptic traces", figsize=(14, 3),
                              color=['#f14a16', '#370665'],
                              legend=['Neuron A', 'Neuron B'])
    plot_time_series_subplots(time=time, time_series_y1=reward_trace[:, 0],
                              time_series_y2=reward_trace[:, 1], ylabel="Reward",
                              title="Reward signals", figsize=(14, 3),
                              color=['#f14a16', '#370665'],
                              legend=['Neuron A', 'Neuron B'])
    plot_time_series_subplots(time=time, time_series_y1=tag_neuron_A,
                              time_series_y2=tag_neuron_B, ylabel="Tag",
                              title="Eligibility traces (tag_1)", figsize=(14, 3),
                              color=['#f14a16', '#370665'],
                              legend=['Neuron A', 'Neuron B'])
    plot_time_series(time=time, time_series=weights_neuron_A, ylabel="Weight",
                     title="Weight of synapse to neuron A", figsize=(14, 3), color='#f14a16')
    return (np.asarray(weights_neuron_A), np.asarray(weights_neuron_B),
            np.asarray(tag_neuron_A), np.asarray(tag_neuron_B))


@pytest.mark.parametrize("select_tag", ["floating_pt", "fixed_pt"])
def test_tutorial_reward_modulated_stdp(png_show, select_tag):
    w_a, w_b, t_a, t_b = tutorial_r_stdp(select_tag)
    assert len(png_show) == 6 and all(p.stat().st_size > 1000 for p in png_show)
    final, changes = LAVA_NC[select_tag]
    np.testing.assert_allclose([w_a[-1], w_b[-1], t_a[-1], t_b[-1]], final, rtol=1e-9)
    assert [int(np.count_nonzero(np.diff(w_a))), int(np.count_nonzero(np.diff(w_b)))] \
        == changes
