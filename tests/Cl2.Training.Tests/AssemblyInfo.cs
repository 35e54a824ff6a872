// libtorch's random generator is one per process: tests that seed it (network initialisation, dropout, the trainer's
// exact-resume check) would draw from each other's sequences if xunit ran their classes in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
