// swift-tools-version:6.1
// The beccaria package: a training and certification manager for the Beccaria programme
// "Fachkraft für Kriminalprävention". Imports point one way:
// beccaria → BeccariaCommands → Issuance / VerificationService / Mail → BeccariaStore / Documents /
// Signing → BeccariaCore;
// ProgrammeLoader and CSVImport → BeccariaCore; Postgres, Files, PDFAssembly and CivilCalendar
// depend on no other target of ours (Postgres and Core share CivilCalendar).
// Each C library sits behind exactly one Swift target (CLibPQ → Postgres, CPangoCairo and
// CQREncode → Documents, CCurl → Mail, CXlsxWriter → Spreadsheet).
import PackageDescription

/// One set of compiler settings shared by every Swift target.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "beccaria",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "beccaria", targets: ["beccaria"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    // Tests only: property-based testing on Swift Testing.
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    // C libraries, each wrapped by one Swift target.
    .systemLibrary(
      name: "CLibPQ", pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
    .systemLibrary(
      name: "CPangoCairo", pkgConfig: "pangocairo",
      providers: [.apt(["libpango1.0-dev", "libcairo2-dev"]), .brew(["pango", "cairo"])]),
    .systemLibrary(
      name: "CQREncode", pkgConfig: "libqrencode",
      providers: [.apt(["libqrencode-dev"]), .brew(["qrencode"])]),
    .systemLibrary(
      name: "CCurl", pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
    .systemLibrary(
      name: "CXlsxWriter", pkgConfig: "xlsxwriter",
      providers: [.apt(["libxlsxwriter-dev"]), .brew(["libxlsxwriter"])]),
    // glibc's <malloc.h> (mallopt), for the nightly run's memory reuse.
    .systemLibrary(name: "CMalloc"),

    // The reader's language (gettext's rules over LANGUAGE, LC_ALL, LC_MESSAGES, LANG) and the
    // German catalogue de.po, embedded at build time.
    .target(
      name: "Localisation", exclude: ["de.po"], swiftSettings: swiftSettings, plugins: ["EmbedCataloguePlugin"]),

    // Proleptic Gregorian day arithmetic, shared by the wrapper's dates and Core's calendar days.
    .target(name: "CivilCalendar", swiftSettings: swiftSettings),

    // The libpq wrapper: the only importer of CLibPQ.
    .target(
      name: "Postgres",
      dependencies: ["CLibPQ", "CivilCalendar", "Localisation", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings),

    // Domain values and rules: Foundation only, no I/O, no database.
    .target(name: "BeccariaCore", dependencies: ["CivilCalendar", "Localisation"], swiftSettings: swiftSettings),

    // Reads and validates programme definitions (YAML) into core values.
    .target(
      name: "ProgrammeLoader",
      dependencies: ["BeccariaCore", "Yams"],
      swiftSettings: swiftSettings),

    // The one CSV reader of every import: a streaming tokenizer, header checks, problems by
    // line, and the framer that feeds PostgreSQL's COPY.
    .target(name: "CSVImport", dependencies: ["BeccariaCore"], swiftSettings: swiftSettings),

    // Files holding personal data, written without following planted links (mode 0600).
    .target(name: "Files", dependencies: ["Localisation"], swiftSettings: swiftSettings),

    // Ed25519 issuing keys, their PEM files, and SHA-256 digests.
    .target(
      name: "Signing",
      dependencies: ["BeccariaCore", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: swiftSettings),

    // SQL over the domain's tables, in folders by family of tables, and migrations (schema/
    // embedded at build time).
    .target(
      name: "BeccariaStore",
      dependencies: [
        "BeccariaCore", "Postgres", "Signing", "Files", "CSVImport",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings,
      plugins: ["EmbedSchemaPlugin"]),

    // Issuing certificates: the nightly run's orchestration and workers, serial expectation,
    // re-issue, and the export of PDFs to a folder.
    .target(
      name: "Issuance",
      dependencies: [
        "BeccariaCore", "BeccariaStore", "Documents", "Signing", "Files", "Postgres", "CMalloc",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings),

    // PDF bytes behind one door: the PDFs Cairo writes read by object (ACCEPTS.md), split into
    // one file per page with a stamp on top and fonts cut to what the page shows, objects
    // rewritten. Foundation and zlib only.
    .target(name: "PDFAssembly", dependencies: ["CZlib"], exclude: ["ACCEPTS.md"], swiftSettings: swiftSettings),

    // PDF rendering with Cairo + Pango (text shaping) and libqrencode.
    .target(
      name: "Documents",
      dependencies: ["BeccariaCore", "PDFAssembly", "CPangoCairo", "CQREncode"],
      swiftSettings: swiftSettings),

    // The public verification service behind every certificate's QR code: HTTP on Hummingbird,
    // pages rendered on the server, the register reached only through the verifier role's
    // functions.
    .target(
      name: "VerificationService",
      dependencies: [
        "BeccariaCore", "BeccariaStore", "Signing", "Postgres",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "MultipartKit", package: "multipart-kit"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings),

    // Mail delivery from the outbox (schema 0024): SMTP through libcurl, the messages' MIME
    // structure, iCalendar events, and delivery status notifications read back.
    .target(
      name: "Mail",
      dependencies: ["BeccariaCore", "BeccariaStore", "Postgres", "CCurl"],
      swiftSettings: swiftSettings),

    // Workbooks (.xlsx) with typed cells through libxlsxwriter: the only importer of CXlsxWriter.
    .target(name: "Spreadsheet", dependencies: ["CXlsxWriter", "BeccariaCore"], swiftSettings: swiftSettings),

    // One file per subcommand; shared option groups.
    .target(
      name: "BeccariaCommands",
      dependencies: [
        "BeccariaCore", "BeccariaStore", "Issuance", "Signing", "Files", "CSVImport", "Documents", "ProgrammeLoader", "Postgres",
        "VerificationService", "Mail", "Spreadsheet",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "CSV", package: "CSV.swift"),
      ],
      swiftSettings: swiftSettings),

    // The executable: starts the root command, nothing else.
    .executableTarget(
      name: "beccaria",
      dependencies: ["BeccariaCommands"],
      swiftSettings: swiftSettings),

    // Build-time embedding of schema/*.sql into BeccariaStore.
    .executableTarget(name: "SchemaEmbedder", swiftSettings: swiftSettings),
    .plugin(
      name: "EmbedCataloguePlugin",
      capability: .buildTool(),
      dependencies: ["SchemaEmbedder"],
      path: "Sources/EmbedCataloguePlugin"),
    .plugin(
      name: "EmbedSchemaPlugin",
      capability: .buildTool(),
      dependencies: ["SchemaEmbedder"],
      path: "Sources/EmbedSchemaPlugin"),

    // Tests. TestSupport gives each test its own throwaway database.
    .target(
      name: "TestSupport",
      dependencies: ["Postgres", "BeccariaStore", "BeccariaCore", "ProgrammeLoader", "Issuance", "Documents", "Signing"],
      path: "Tests/TestSupport",
      swiftSettings: swiftSettings),
    .testTarget(
      name: "PostgresTests",
      dependencies: ["Postgres", "TestSupport"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "BeccariaCoreTests",
      dependencies: ["BeccariaCore", .product(name: "PropertyBased", package: "swift-property-based")],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "ProgrammeLoaderTests",
      dependencies: [
        "ProgrammeLoader", "BeccariaCore", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "BeccariaStoreTests",
      dependencies: ["BeccariaStore", "BeccariaCore", "Postgres", "ProgrammeLoader", "TestSupport"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "LocalisationTests", dependencies: ["Localisation", "TestSupport"], swiftSettings: swiftSettings),
    .testTarget(
      name: "CSVImportTests",
      dependencies: [
        "CSVImport", "BeccariaCore", "Postgres", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "PDFAssemblyTests",
      dependencies: ["PDFAssembly", "Documents", "TestSupport"],
      swiftSettings: swiftSettings),
    .testTarget(name: "FilesTests", dependencies: ["Files"], swiftSettings: swiftSettings),
    .testTarget(name: "CivilCalendarTests", dependencies: ["CivilCalendar"], swiftSettings: swiftSettings),
    .testTarget(
      name: "SigningTests",
      dependencies: ["Signing", "BeccariaCore"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "IssuanceTests",
      dependencies: ["Issuance", "BeccariaStore", "BeccariaCore", "Documents", "Signing", "Files", "Postgres", "TestSupport"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "DocumentsTests",
      dependencies: ["Documents", "BeccariaCore", "TestSupport"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "MailTests",
      dependencies: ["Mail", "BeccariaCore", "BeccariaStore", "Issuance", "Postgres", "ProgrammeLoader", "TestSupport"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "BeccariaCommandsTests",
      dependencies: [
        "BeccariaCommands", "BeccariaStore", "Issuance", "Signing", "Files", "BeccariaCore", "Documents", "TestSupport",
        "Postgres",
        "beccaria",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: swiftSettings),
  ],
  swiftLanguageModes: [.v6]
)
