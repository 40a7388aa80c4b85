// kyoyu console: partial page updates, as progressive enhancement.
//
// A link or a form marked data-partial="ID" is fetched in the background (with the request
// header Kyoyu-Partial: ID), and the element with that id is replaced by the element with the
// same id in the answer. Every page works without this script: links and forms then do what
// they always do, and they do so here too whenever something goes wrong.
(function () {
  'use strict';
  if (!window.fetch || !window.DOMParser || !window.URLSearchParams || !Element.prototype.closest) {
    return;
  }

  var HEADER = 'Kyoyu-Partial';

  // Put the fetched element in place of the current one and move focus there, so that
  // keyboard and screen-reader users land on what changed.
  function swap(targetId, doc) {
    var current = document.getElementById(targetId);
    var fresh = doc.getElementById(targetId);
    if (!current || !fresh) {
      return false;
    }
    var node = document.adoptNode(fresh);
    current.replaceWith(node);
    if (!node.hasAttribute('tabindex')) {
      node.setAttribute('tabindex', '-1');
    }
    node.focus();
    return true;
  }

  // The answer is a whole page without the target: show that page.
  function replacePage(doc) {
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    window.scrollTo(0, 0);
  }

  function load(url, init, targetId, fallback, remember) {
    var target = document.getElementById(targetId);
    if (!target) {
      fallback();
      return;
    }
    target.setAttribute('aria-busy', 'true');
    init.headers = {};
    init.headers[HEADER] = targetId;
    init.credentials = 'same-origin';
    fetch(url, init).then(function (response) {
      var type = response.headers.get('Content-Type') || '';
      if (type.indexOf('text/html') !== 0) {
        throw new Error('not a page');
      }
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        if (!swap(targetId, doc)) {
          replacePage(doc);
        }
        if (remember) {
          if (!history.state || !history.state.partial) {
            history.replaceState({ partial: true }, '');
          }
          history.pushState({ partial: true }, '', response.url || url);
        }
      });
    }).catch(function () {
      target.removeAttribute('aria-busy');
      fallback();
    });
  }

  document.addEventListener('click', function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) {
      return;
    }
    var link = event.target.closest('a[data-partial]');
    if (!link || link.origin !== window.location.origin) {
      return;
    }
    event.preventDefault();
    var href = link.href;
    load(href, { method: 'GET' }, link.getAttribute('data-partial'), function () {
      window.location.assign(href);
    }, true);
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches('form[data-partial]')) {
      return;
    }
    var action = new URL(form.getAttribute('action') || window.location.href, window.location.href);
    if (action.origin !== window.location.origin) {
      return;
    }
    event.preventDefault();
    var method = (form.getAttribute('method') || 'get').toUpperCase();
    var data = new URLSearchParams(new FormData(form, event.submitter || null));
    var init = { method: method };
    if (method === 'GET') {
      action.search = data.toString();
    } else {
      init.body = data;
    }
    load(action.href, init, form.getAttribute('data-partial'), function () {
      form.submit();
    }, method === 'GET');
  });

  // A live region: an element with data-live="URL" listens to that event stream and, on each
  // event, fetches its own page again and puts the fresh element in place (focus stays where
  // it is; the change is announced). The page works without it: reload to see new calls.
  function live(element) {
    if (!window.EventSource) {
      return;
    }
    var id = element.id;
    var source = new EventSource(element.getAttribute('data-live'));
    var refresh = function () {
      var init = { method: 'GET', credentials: 'same-origin', headers: {} };
      init.headers[HEADER] = id;
      fetch(window.location.href, init).then(function (response) {
        return response.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById(id);
        var current = document.getElementById(id);
        if (!fresh || !current) {
          return;
        }
        current.replaceWith(document.adoptNode(fresh));
        var note = document.getElementById(id).querySelector('[aria-live]');
        if (note) {
          note.textContent = element.getAttribute('data-live-note') || '';
        }
      }).catch(function () {});
    };
    source.addEventListener('hotline', refresh);
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-live]'), live);

  // Going back past a partial update: load that address as a whole page.
  window.addEventListener('popstate', function (event) {
    if (event.state && event.state.partial) {
      window.location.reload();
    }
  });
}());
