"""Interceptors: homing endgame (proportional navigation), kill vehicles."""
