using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Host.CrossDomain;

/// <summary>What GET_IMAGE_REQUIREMENTS asks for; equal keys get the same template back.</summary>
internal readonly record struct ImageTemplateKey(uint Width, uint Height, uint DrmFormat, ImageUsageFlags Flags);
