"""kilauea.sim"""
