// What other features render: the photo button of a form and the thumbnails of a saved item.
export { AttachmentThumbnails } from "./components/attachment-thumbnails";
export { PhotoField } from "./components/photo-field";
export { usePhotoUploads } from "./components/use-photo-uploads";
