"""kilauea.hw"""
