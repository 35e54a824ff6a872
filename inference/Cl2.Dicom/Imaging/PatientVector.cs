namespace Cl2.Dicom.Imaging;

/// <summary>A point or direction in the patient coordinate system (PS3.3 §C.7.6.2.1.1), in millimetres.</summary>
public readonly record struct PatientVector(double X, double Y, double Z)
{
    public double Length => Math.Sqrt(Dot(this));

    public double Dot(PatientVector other) => (X * other.X) + (Y * other.Y) + (Z * other.Z);

    public PatientVector Cross(PatientVector other) =>
        new((Y * other.Z) - (Z * other.Y), (Z * other.X) - (X * other.Z), (X * other.Y) - (Y * other.X));

    public PatientVector Normalized()
    {
        var length = Length;
        return length == 0 ? this : new PatientVector(X / length, Y / length, Z / length);
    }

    public static PatientVector operator -(PatientVector left, PatientVector right) => new(left.X - right.X, left.Y - right.Y, left.Z - right.Z);

    public static PatientVector operator *(PatientVector vector, double factor) => new(vector.X * factor, vector.Y * factor, vector.Z * factor);

    public PatientVector Subtract(PatientVector other) => this - other;

    public PatientVector Multiply(double factor) => this * factor;

    public override string ToString() => FormattableString.Invariant($"({X:0.###}, {Y:0.###}, {Z:0.###})");
}
