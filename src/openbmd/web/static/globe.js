// The run's scene on a CesiumJS globe, fully offline: CesiumJS and the Natural Earth II
// imagery both come from this server under /cesium/ (installed by `openbmd setup-web`).
// No Cesium ion token, no geocoder, no base-layer picker: nothing asks another server.
//
// Page flags for tests and tools: window.openbmdGlobeReady becomes true after the first
// frame rendered with the CZML loaded; the container's data-state says loading / ready /
// error; data-entities counts the scene's entities.

const CESIUM_BASE = "/cesium/";

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(script);
  });
}

function loadStyle(href) {
  if (document.querySelector(`link[href="${href}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

async function loadCesium() {
  if (window.Cesium) return window.Cesium;
  // Cesium reads its base URL (workers, assets) from this global when its script runs
  window.CESIUM_BASE_URL = CESIUM_BASE;
  loadStyle(`${CESIUM_BASE}Widgets/widgets.css`);
  await loadScript(`${CESIUM_BASE}Cesium.js`);
  return window.Cesium;
}

function fail(container, message) {
  container.dataset.state = "error";
  window.openbmdGlobeState = "error";
  const note = document.createElement("p");
  note.className = "globe-note error-text";
  note.textContent = message;
  container.replaceChildren(note);
}

/** Resolve on the next rendered frame of the scene. */
function nextFrame(viewer) {
  return new Promise((resolve) => {
    const remove = viewer.scene.postRender.addEventListener(() => {
      remove();
      resolve();
    });
    viewer.scene.requestRender();
  });
}

/**
 * Show `czmlUrl` on a globe inside `container`; returns the Cesium Viewer (or null when
 * the globe cannot be shown: the container then says why).
 */
export async function showGlobe(container, czmlUrl) {
  container.dataset.state = "loading";
  window.openbmdGlobeReady = false;
  window.openbmdGlobeState = "loading";
  let Cesium;
  try {
    Cesium = await loadCesium();
  } catch (err) {
    fail(container, `CesiumJS did not load (${err.message}): run \`openbmd setup-web\` and reload.`);
    return null;
  }
  container.replaceChildren();
  let viewer;
  try {
    const imagery = Cesium.TileMapServiceImageryProvider.fromUrl(
      Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"),
    );
    viewer = new Cesium.Viewer(container, {
      baseLayer: Cesium.ImageryLayer.fromProviderAsync(imagery),
      baseLayerPicker: false,
      geocoder: false,
      homeButton: true,
      sceneModePicker: true,
      navigationHelpButton: false,
      fullscreenButton: true,
      animation: true,
      timeline: true,
      infoBox: true,
      selectionIndicator: true,
      shouldAnimate: true,
    });
  } catch (err) {
    fail(container, `The globe cannot start in this browser (WebGL: ${err.message}).`);
    return null;
  }
  window.openbmdViewer = viewer;
  try {
    const source = await Cesium.CzmlDataSource.load(czmlUrl);
    await viewer.dataSources.add(source);
    viewer.clockTrackedDataSource = source;
    viewer.clock.shouldAnimate = true;
    container.dataset.entities = String(source.entities.values.length);
    // frame the whole scene; do not wait long for it (software WebGL is slow)
    await Promise.race([
      viewer.zoomTo(source).catch(() => false),
      new Promise((resolve) => setTimeout(resolve, 4000)),
    ]);
  } catch (err) {
    viewer.destroy();
    window.openbmdViewer = undefined;
    fail(container, `The scene could not be loaded (${err.message}).`);
    return null;
  }
  await nextFrame(viewer);
  container.dataset.state = "ready";
  window.openbmdGlobeState = "ready";
  window.openbmdGlobeReady = true;
  return viewer;
}
