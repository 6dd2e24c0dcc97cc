#if canImport(CMalloc)
  import CMalloc
#endif

/// The run's memory habits.
enum MemoryReuse {
  /// Every batch allocates the same large buffers again (its documents, their pages, the
  /// statement's parameters). glibc's defaults hand such buffers back to the kernel when they are
  /// freed (mmap above 128 KiB, trimming the heap above 128 KiB free), so each batch faulted them
  /// in anew. Kept in the heap instead, they are reused, for a few MiB more at the peak. The
  /// setting is process-wide; it is made once, by the run.
  static func keepBetweenBatches() {
    #if canImport(CMalloc)
      _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
      _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
    #endif
  }
}
