package dev.ember.backend;

/**
 * Reductions along the last axis of the input. ARGMAX/ARGMIN write INT64
 * indices (the first occurrence wins, as in PyTorch); SUM of integers and
 * BOOL writes INT64.
 */
public enum ReduceOp { SUM, PROD, MAX, MIN, ARGMAX, ARGMIN }
