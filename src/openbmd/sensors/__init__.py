"""Sensors: radar equation, detection, horizon, radar sites, line of sight and coverage."""
