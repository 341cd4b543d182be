namespace PhoenixSlt.Core.Data;

/// Shapes of the per-sample feature files.
/// Keypoints follow MediaPipe Holistic: 33 pose landmarks, then 21 left-hand and 21 right-hand landmarks,
/// each with x, y, z (image-normalised x/y; z a relative depth on the scale of x). A missing hand arrives as
/// all-zero or NaN joints. SigLIP features are ViT-B/16 frame embeddings of width 768.
public static class FeatureSpec
{
    public const int PoseJoints = 33;
    public const int HandJoints = 21;
    public const int Joints = PoseJoints + 2 * HandJoints; // 75
    public const int CoordsPerJoint = 3;
    public const int KeypointDim = Joints * CoordsPerJoint; // 225

    /// First joint of the left hand (joints 33..53) and of the right hand (54..74).
    public const int LeftHandStart = PoseJoints;
    public const int RightHandStart = PoseJoints + HandJoints;

    /// MediaPipe pose landmark indices of the shoulders.
    public const int LeftShoulder = 11;
    public const int RightShoulder = 12;

    /// Width of a SigLIP ViT-B/16 frame embedding.
    public const int SiglipDim = 768;
}

/// The two feature streams of a sample.
public enum FeatureKind
{
    /// MediaPipe keypoints, folder kpts/.
    Keypoints,

    /// SigLIP ViT-B/16 embeddings, folder siglip_vitb16/.
    Siglip,
}
