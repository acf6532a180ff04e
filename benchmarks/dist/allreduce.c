/* The C baseline for AllReduceBench: MPI_Allreduce (in place, float sum) timed as AllReduceBench
 * times it (median over iterations, max over ranks), so the cost of calling MPI through Java's FFM
 * shows as the difference. Build: mpicc -O2 -o allreduce allreduce.c  (benchmarks/dist/allreduce.sh) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, n, max = argc > 1 ? atoi(argv[1]) : 4 << 20;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    if (rank == 0) printf("# C MPI_Allreduce, %d ranks\n# %-7s %10s %12s %10s %10s\n", n, "what", "floats", "median us", "algbw GB/s", "busbw GB/s");
    for (int count = 1024; count <= max; count *= 4) {
        float *buf = aligned_alloc(64, 4L * count);
        for (int i = 0; i < count; i++) buf[i] = 0;
        int iters = 200000000L / (4L * count) / 10;
        if (iters < 5) iters = 5;
        if (iters > 200) iters = 200;
        double *t = malloc(sizeof(double) * iters);
        for (int w = 0; w < 3; w++) MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        for (int i = 0; i < iters; i++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            t[i] = MPI_Wtime() - t0;
        }
        qsort(t, iters, sizeof(double), cmp);
        double med = t[iters / 2], worst;
        MPI_Allreduce(&med, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        double alg = 4.0 * count / worst / 1e9;
        if (rank == 0) printf("  %-7s %10d %12.1f %10.3f %10.3f\n", "c", count, worst * 1e6, alg, alg * 2 * (n - 1) / n);
        free(t);
        free(buf);
    }
    MPI_Finalize();
    return 0;
}
