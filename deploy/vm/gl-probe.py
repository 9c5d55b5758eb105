#!/usr/bin/python3
"""Renders with Mesa through EGL's surfaceless platform and reads the pixels back.

The VM test tier runs it in the guest (chrooted into the host's root shared over 9p), where the
render node is virtio-gpu's and Mesa's driver is virgl: the clears below then run in the host's
virglrenderer, and glReadPixels brings their result back through the device. It prints lines
"KEY VALUE" (driver, renderer, version, pixels) and exits 0, or prints "error WHY" and exits 1.

Python's ctypes rather than a tool from a package: Debian 12's eglinfo (mesa-demos 8.5.0) never
creates a GL context, so it shows neither the renderer string nor that anything renders; and a
script needs no compiler or headers on the machine that runs the tests.
"""
import ctypes
import sys

EGL_PLATFORM_SURFACELESS_MESA = 0x31DD
EGL_NONE = 0x3038
EGL_OPENGL_ES_API = 0x30A0
EGL_CONTEXT_MAJOR_VERSION = 0x3098
EGL_NO_CONFIG = None
EGL_NO_SURFACE = None

GL_VENDOR = 0x1F00
GL_RENDERER = 0x1F01
GL_VERSION = 0x1F02
GL_FRAMEBUFFER = 0x8D40
GL_RENDERBUFFER = 0x8D41
GL_RGBA8 = 0x8058
GL_COLOR_ATTACHMENT0 = 0x8CE0
GL_FRAMEBUFFER_COMPLETE = 0x8CD5
GL_COLOR_BUFFER_BIT = 0x4000
GL_SCISSOR_TEST = 0x0C11
GL_RGBA = 0x1908
GL_UNSIGNED_BYTE = 0x1401

SIZE = 16
# Left half one colour, right half another: a device that dropped the second (scissored) clear,
# or returned stale memory, reads back differently from one that ran both.
BACKGROUND = (0.25, 0.5, 0.75, 1.0)
RIGHT_HALF = (1.0, 0.0, 0.5, 1.0)


def fail(why):
    print("error", why)
    sys.exit(1)


def expected_bytes(colour):
    return tuple(round(channel * 255) for channel in colour)


def main():
    try:
        egl = ctypes.CDLL("libEGL.so.1")
        gles = ctypes.CDLL("libGLESv2.so.2")
    except OSError as error:
        fail(f"cannot load EGL or GLES: {error}")

    egl.eglGetProcAddress.restype = ctypes.c_void_p
    egl.eglGetProcAddress.argtypes = [ctypes.c_char_p]
    get_platform_display = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p)(
        egl.eglGetProcAddress(b"eglGetPlatformDisplayEXT") or fail("no eglGetPlatformDisplayEXT"))
    egl.eglInitialize.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    egl.eglCreateContext.restype = ctypes.c_void_p
    egl.eglCreateContext.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    egl.eglMakeCurrent.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    egl.eglGetError.restype = ctypes.c_int
    gles.glGetString.restype = ctypes.c_char_p

    display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, None, None)
    if not display or not egl.eglInitialize(display, None, None):
        fail(f"eglInitialize failed: 0x{egl.eglGetError():x}")
    # EGL_MESA_query_driver: which Mesa driver the display loaded (virtio_gpu on the device).
    driver_name_address = egl.eglGetProcAddress(b"eglGetDisplayDriverName")
    if driver_name_address:
        driver_name = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_void_p)(driver_name_address)(display)
        print("driver", (driver_name or b"").decode())

    egl.eglBindAPI(EGL_OPENGL_ES_API)
    attributes = (ctypes.c_int * 3)(EGL_CONTEXT_MAJOR_VERSION, 2, EGL_NONE)
    # EGL_KHR_no_config_context and EGL_KHR_surfaceless_context: no window, render to an FBO.
    context = egl.eglCreateContext(display, EGL_NO_CONFIG, None, attributes)
    if not context:
        fail(f"eglCreateContext failed: 0x{egl.eglGetError():x}")
    if not egl.eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context):
        fail(f"eglMakeCurrent failed: 0x{egl.eglGetError():x}")
    for key, name in (("vendor", GL_VENDOR), ("renderer", GL_RENDERER), ("version", GL_VERSION)):
        print(key, (gles.glGetString(name) or b"").decode())

    renderbuffer, framebuffer = ctypes.c_uint(), ctypes.c_uint()
    gles.glGenRenderbuffers(1, ctypes.byref(renderbuffer))
    gles.glBindRenderbuffer(GL_RENDERBUFFER, renderbuffer)
    gles.glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, SIZE, SIZE)
    gles.glGenFramebuffers(1, ctypes.byref(framebuffer))
    gles.glBindFramebuffer(GL_FRAMEBUFFER, framebuffer)
    gles.glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, renderbuffer)
    status = gles.glCheckFramebufferStatus(GL_FRAMEBUFFER)
    if status != GL_FRAMEBUFFER_COMPLETE:
        fail(f"framebuffer incomplete: 0x{status:x}")

    gles.glViewport(0, 0, SIZE, SIZE)
    gles.glClearColor(*(ctypes.c_float(channel) for channel in BACKGROUND))
    gles.glClear(GL_COLOR_BUFFER_BIT)
    gles.glEnable(GL_SCISSOR_TEST)
    gles.glScissor(SIZE // 2, 0, SIZE // 2, SIZE)
    gles.glClearColor(*(ctypes.c_float(channel) for channel in RIGHT_HALF))
    gles.glClear(GL_COLOR_BUFFER_BIT)
    gles.glDisable(GL_SCISSOR_TEST)

    pixels = (ctypes.c_ubyte * (SIZE * SIZE * 4))()
    gles.glReadPixels(0, 0, SIZE, SIZE, GL_RGBA, GL_UNSIGNED_BYTE, pixels)
    gl_error = gles.glGetError()
    if gl_error:
        fail(f"GL error 0x{gl_error:x}")

    def pixel(x, y):
        offset = (y * SIZE + x) * 4
        return tuple(pixels[offset:offset + 4])

    left, right = pixel(1, SIZE // 2), pixel(SIZE - 2, SIZE // 2)
    print("pixels", "%02x%02x%02x%02x" % left, "%02x%02x%02x%02x" % right)
    # One step of tolerance per channel: the float-to-unorm rounding is the driver's to choose.
    def close(actual, colour):
        return all(abs(a - e) <= 1 for a, e in zip(actual, expected_bytes(colour)))
    print("pixels-match", "yes" if close(left, BACKGROUND) and close(right, RIGHT_HALF) else "no")

    egl.eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, None)
    egl.eglDestroyContext(display, context)
    egl.eglTerminate(display)


if __name__ == "__main__":
    main()
