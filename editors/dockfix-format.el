;;; dockfix-format.el --- format Dockerfiles on save with dockfix's stdin mode
;; No language server: the buffer goes through `dockfix --stdin-filename
;; FILE -'. Emacs 28+ with dockerfile-mode (Debian bookworm: apt-get install
;; emacs-nox elpa-dockerfile-mode). tests/emacs.rs loads this file as it is.

(defun dockfix-format-buffer ()
  "Replace the buffer with what `dockfix --stdin-filename FILE -' makes of it.
Point and markers stay put (`replace-buffer-contents'); when dockfix
fails the buffer is left alone and its message shown."
  (interactive)
  (let ((fixed (generate-new-buffer " *dockfix*"))
        (errors (make-temp-file "dockfix-errors"))
        (coding-system-for-read 'utf-8-unix)
        (coding-system-for-write 'utf-8-unix))
    (unwind-protect
        (save-restriction
          (widen)
          (if (zerop (call-process-region
                      (point-min) (point-max) "dockfix" nil (list fixed errors) nil
                      "--stdin-filename"
                      (or buffer-file-name (expand-file-name "Dockerfile"))
                      "-"))
              (replace-buffer-contents fixed)
            (message "dockfix: %s"
                     (with-temp-buffer
                       (insert-file-contents errors)
                       (buffer-substring (point-min) (line-end-position))))))
      (kill-buffer fixed)
      (delete-file errors))))

(defun dockfix-format-on-save ()
  "Format a Dockerfile buffer with dockfix before each save."
  (add-hook 'before-save-hook #'dockfix-format-buffer nil t))
(add-hook 'dockerfile-mode-hook #'dockfix-format-on-save)
