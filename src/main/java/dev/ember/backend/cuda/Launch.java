package dev.ember.backend.cuda;

/**
 * One 1-D grid-stride kernel launch: the {@code extern "C"} kernel, how many work items it covers
 * (the grid is sized from it), and its arguments.
 */
record Launch(String kernel, long work, KernelArgs args) {}
