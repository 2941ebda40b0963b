"""Host API core: processes, Vars, ports, models, run conditions and configs."""
