namespace Cl2.Models.Workloads;

/// <summary>
/// Which of a workload's networks a run trains from fresh weights: the workload's own (<see cref="Workload.Architecture"/>:
/// SegResNet, DenseNet-121) or its small sibling (<see cref="Workload.SmallArchitecture"/>), for runs that must be quick on
/// a CPU (the test suite, <c>./cl2 demo --quick</c>). Fine-tuning keeps the base version's network whatever is chosen.
/// </summary>
public enum NetworkChoice
{
    Reference,
    Small,
}
