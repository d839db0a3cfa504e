// Uploads go straight to storage: ask the API for a presigned PUT, send the bytes with progress,
// then ask the API to verify them (its 422 message is what the user sees).
import { api, ApiError, errorFrom } from "./api.js";

const TYPES_BY_EXTENSION = {
  mp4: "video/mp4", mov: "video/quicktime", webm: "video/webm", png: "image/png", jpg: "image/jpeg",
  jpeg: "image/jpeg", webp: "image/webp", mp3: "audio/mpeg", m4a: "audio/mp4", wav: "audio/wav", ogg: "audio/ogg",
};
const UNSAFE_HEADERS = new Set(["content-length", "host", "connection"]);

function contentTypeOf(file) {
  if (file.type) return file.type;
  const extension = file.name.split(".").pop().toLowerCase();
  return TYPES_BY_EXTENSION[extension] ?? "application/octet-stream";
}

/** PUT ``file`` to a presigned URL with exactly the signed headers, reporting 0..1 progress. */
function putWithProgress(url, file, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (!UNSAFE_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(await errorFrom(new Response(xhr.responseText || null, { status: xhr.status })));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "The upload was interrupted: connection lost. Try again."));
    xhr.send(file);
  });
}

/** The whole upload: start, PUT, complete. Resolves to the ready upload, or throws the server's error. */
export async function uploadFile(projectId, kind, file, onProgress) {
  const start = await api(`/api/projects/${projectId}/uploads`, { method: "POST",
    body: { kind, content_type: contentTypeOf(file), size_bytes: file.size, filename: file.name.slice(0, 255) } });
  await putWithProgress(start.url, file, start.headers, onProgress);
  return api(`/api/projects/${projectId}/uploads/${start.upload.id}/complete`, { method: "POST", retry: true });
}
