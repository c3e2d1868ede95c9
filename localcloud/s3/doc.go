// Package s3 is the local cloud's Amazon S3: the REST-XML wire protocol
// (path-style and virtual-host-style addressing) in front of a Storage, and
// FileStore, a Storage that keeps every object as a plain file under
// <data>/s3/<bucket>/<key>, so people can look at what jobs wrote.
//
// Protocol and storage are apart: Server only translates HTTP into Storage
// calls and Storage errors into S3 error codes, and other in-process
// components may use the same Storage directly.
//
// FileStore layout:
//
//	<data>/s3/<bucket>/<key>            object bytes, one file per key
//	<data>/s3/<bucket>/<key>/%obj       … of a key that other keys continue ("a" beside "a/b")
//	<data>/s3meta/<bucket>/<key>%meta   sidecar: content type, ETag, user metadata, checksums
//	<data>/s3meta/.buckets/<bucket>     bucket record (creation time, CORS rules)
//	<data>/s3meta/.uploads/<id>/        multipart uploads in progress, and recently completed
//	<data>/s3meta/.tmp/                 files being written (renamed into place)
//
// Key segments ("/"-separated) are file names; a segment that is empty, "."
// or ".." or that contains "%" or NUL is escaped with %XX so every key maps
// to exactly one path. A segment longer than a file name may be (255
// bytes) continues in subdirectories: its first part names a directory
// "%+<part>", the last part a file inside. A file cannot also be a
// directory, so when keys "a" and "a/b" both exist, "a" is kept in a/%obj,
// and moves back to the file "a" when the last key under "a/" goes.
// Names holding "%" followed by a character that is not a hex digit (%obj,
// %+…, …%meta) are the layout's own; no key segment escapes to one.
package s3
