#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing:
#   chromium        the browser Playwright drives (Playwright never downloads its own here)
#   dcmtk           dcmdump, dcmcjpeg, dcmcjpls, dcmcrle: read and compress DICOM in tests
#   dicom3tools     dciodvfy: validates the DICOM we write
#   libgdcm-tools   gdcmconv: JPEG 2000 compression for codec tests
#   poppler-utils   pdftoppm / pdftotext: render and read the exported report
#   teem-apps       teem-unu: the reference NRRD reader/writer, cross-checks our NRRD files
#   orthanc, orthanc-dicomweb, orthanc-gdcm: a real PACS for the DICOMweb tests
# As root it installs them; otherwise it prints the exact command and fails.
set -euo pipefail

declare -A need=(
  [/usr/bin/chromium]=chromium
  [/usr/bin/dcmdump]=dcmtk
  [/usr/bin/dcmcjpls]=dcmtk
  [/usr/bin/dciodvfy]=dicom3tools
  [/usr/bin/gdcmconv]=libgdcm-tools
  [/usr/bin/pdftoppm]=poppler-utils
  [/usr/bin/teem-unu]=teem-apps
  [/usr/sbin/Orthanc]=orthanc
  [/usr/share/orthanc/plugins/libOrthancDicomWeb.so]=orthanc-dicomweb
  [/usr/share/orthanc/plugins/libOrthancGdcm.so]=orthanc-gdcm
)
missing=()
for path in "${!need[@]}"; do
  [ -e "$path" ] || missing+=("${need[$path]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages for the tests: $pkgs" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y $pkgs" >&2
  exit 1
fi
echo "Installing Debian packages: $pkgs"
export DEBIAN_FRONTEND=noninteractive
# Keep package scripts from starting the Orthanc system service on 8042/4242.
policy_created=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_created=1
fi
trap 'if [ $policy_created -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $pkgs >/dev/null
echo "Installed: $pkgs"
